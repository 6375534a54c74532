"""ONNX Runtime backend: the torch model exported once, graph-fused, weights quantised to int8.

The export lives in the cache folder under the weights' hash, so it is built on first use (about
half a minute) and reused by every later run; a changed model gets a new export. Dynamic int8
quantisation keeps activations in float and needs no calibration data.
"""
from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

from ..errors import ModelError
from ..io import quiet_transformers
from ..paths import cache_dir
from .base import resolve_model
from .verifier import BatchedVerifier, check_model_folder, label_mapping, load_error, weights_hash

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _require_onnxruntime():
    try:
        import onnxruntime  # noqa: F401
        from onnxruntime.quantization import quantize_dynamic  # noqa: F401
    except ImportError:
        raise ModelError('the onnx engine needs ONNX Runtime: pip install "verify-claims[onnx]"') from None


def export_int8(model_dir: str, out: Path) -> Path:
    """torch → ONNX (opset 17, dynamic batch and length) → fused BERT graph → int8 weights, atomically."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir).float().eval()
    names = [n for n in INPUTS if n in tok.model_input_names]
    sample = tok(["A premise."], ["A hypothesis."], return_tensors="pt")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, tuple(sample[n] for n in names), str(fp32), input_names=names,
                              output_names=["logits"], opset_version=17, dynamo=False,
                              dynamic_axes={**{n: {0: "batch", 1: "length"} for n in names}, "logits": {0: "batch"}})
        fused = _fuse_bert(fp32, model.config)
        # Fused kernels are contrib ops that shape inference cannot type: tell the quantiser they are float.
        quantize_dynamic(str(fused), str(Path(tmp) / "int8.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        os.replace(Path(tmp) / "int8.onnx", out)
    return out


def _fuse_bert(path: Path, config) -> Path:
    """Fuse attention, LayerNorm and GELU into single ONNX Runtime kernels (BERT-family models only)."""
    if getattr(config, "model_type", "") not in ("bert", "roberta", "xlm-roberta", "distilbert", "electra"):
        return path
    from onnxruntime.transformers.optimizer import optimize_model

    fused = path.with_name("fused.onnx")
    opt = optimize_model(str(path), model_type="bert", num_heads=config.num_attention_heads,
                         hidden_size=config.hidden_size, opt_level=1)
    opt.save_model_to_file(str(fused))
    return fused


class OnnxVerifier(BatchedVerifier):
    """Same tokenizer, labels and batching as the torch engine; int8 matrix multiplies in ONNX Runtime."""

    engine = "onnx-int8"

    def __init__(self, name_or_path: str | None = None, max_length: int = 256, threads: int | None = None,
                 trust_remote_code: bool = False, temperature: float | None = None):
        _require_onnxruntime()
        import onnxruntime as ort
        from transformers import AutoConfig, AutoTokenizer

        if trust_remote_code:
            raise ModelError("the onnx engine exports standard transformers models only (no --trust-remote-code)")
        quiet_transformers()
        target = resolve_model(name_or_path)
        check_model_folder(target)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(target)
            config = AutoConfig.from_pretrained(target)
            if not Path(target).exists():  # a hub id: export from the local snapshot
                from huggingface_hub import snapshot_download

                target = snapshot_download(target)
        except (OSError, ValueError) as e:
            raise load_error(target, e) from None
        self.mapping = label_mapping(config.id2label)
        self.name = name_or_path or Path(target).name
        self.path = target
        self.hash = weights_hash(target)
        self.max_length = min(max_length, getattr(self.tokenizer, "model_max_length", max_length) or max_length)
        self._set_temperature(target, temperature)
        onnx_path = cache_dir() / "onnx" / f"{self.hash}-int8.onnx"
        if not onnx_path.exists():
            try:
                export_int8(target, onnx_path)
            except Exception as e:  # export failures are model problems, reported in one line
                raise ModelError(f"cannot export '{self.name}' to ONNX: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("VERIFY_THREADS", "0"))  # 0 = one per core
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.onnx_path = onnx_path

    def _logits(self, premises: list[str], hypotheses: list[str]):
        import numpy as np

        enc = self.tokenizer(premises, hypotheses, truncation="longest_first", max_length=self.max_length,
                             padding=True, return_tensors="np")
        return self.session.run(["logits"], {n: enc[n].astype(np.int64) for n in self.inputs})[0]
