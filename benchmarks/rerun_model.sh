#!/usr/bin/env bash
# Re-run every results file that depends on the embedded model's weights (after a new model is
# shipped into verify/models/), and refit the learned aggregator on them. Baseline rows (lexical,
# majority) and the other speed files (perf-engine, perf-index, scaling-*) do not depend on the weights. About 45 minutes on 2 CPU cores.
#   bash benchmarks/rerun_model.sh            # everything
#   bash benchmarks/rerun_model.sh nli        # only the held-out NLI table (and the model card)
#   bash benchmarks/rerun_model.sh pipeline   # after a change of the pipeline, not the weights: all but the NLI tables
set -euo pipefail
cd "$(dirname "$0")/.."
export VERIFY_RESULTS_DIR=benchmarks/results  # update the committed files (the default is a per-user folder)
what="${1:-all}"

if [ "$what" != pipeline ]; then
# held-out NLI table (model card numbers), fp32 and the two fast engines
verify bench nli --limit 2000
python -m verify.nli.card
[ "$what" = nli ] && exit 0
verify bench nli --sets mnli_dev_matched,vitaminc_real_test --limit 2000 --engine onnx
verify bench nli --sets mnli_dev_matched,vitaminc_real_test --limit 2000 --engine bf16
fi

# the learned aggregator is fitted on the model's scores (SciFact train only): refit it first
verify train-aggregator

# claim benchmarks (one row each in benchmarks/README.md); both aggregators on SciFact
verify bench scifact --split validation --mode oracle
verify bench scifact --split validation --mode oracle --aggregator learned
verify bench scifact --split validation --mode oracle --no-checks
verify bench scifact --split validation --mode retrieval
verify bench scifact --split validation --mode retrieval --aggregator learned
verify bench scifact --split validation --mode retrieval --pairs 8
verify bench scifact --split validation --mode retrieval --pairs 8 --aggregator learned
verify bench covid-fact --mode oracle
verify bench covid-fact --mode oracle --no-checks
verify bench fever-symmetric --mode oracle
verify bench fever-symmetric --mode oracle --aggregator learned
verify bench sufficient-facts --mode oracle --limit 1500
verify bench sufficient-facts --mode oracle --limit 1500 --aggregator learned
verify bench nli:vitaminc_real_test --mode pipeline --limit 2000
verify bench nli:vitaminc_real_test --mode pipeline --limit 2000 --no-checks

# calibration profiles (temperature, verdict scaling, macro-F1-best thresholds) fitted on train splits
# only (SciFact train; COVID-Fact's train split, a seeded 1,000 of its 3,266 claims), applied to SciFact
# validation and the evaluated COVID-Fact claims
verify calibrate scifact --split train --target-precision 0 --out benchmarks/profiles/scifact-train.json
verify calibrate covid-fact --split train --limit 1000 --target-precision 0 --out benchmarks/profiles/covid-fact-train.json
verify calibrate scifact --split train --target-precision 0 --aggregator learned --out benchmarks/profiles/scifact-train-learned.json
verify bench scifact --split validation --mode oracle --profile benchmarks/profiles/scifact-train.json
verify bench scifact --split validation --mode retrieval --profile benchmarks/profiles/scifact-train.json
verify bench covid-fact --mode oracle --profile benchmarks/profiles/scifact-train.json
verify bench covid-fact --mode oracle --profile benchmarks/profiles/covid-fact-train.json
verify bench scifact --split validation --mode oracle --aggregator learned --profile benchmarks/profiles/scifact-train-learned.json
verify bench scifact --split validation --mode retrieval --aggregator learned --profile benchmarks/profiles/scifact-train-learned.json

# counterfactual table (issue 14): per-kind edit / paraphrase accuracy, the model alone and through the pipeline
verify bench counterfactual
verify bench counterfactual --mode pipeline

python -m verify.bench.table

# end-to-end speed and the pair-budget curve carry macro-F1 too (and the learned aggregator's)
python benchmarks/perf.py --sections e2e pairs

# threshold search on SciFact train (compares the 0.5 defaults with the best grid point)
python benchmarks/tune_thresholds.py

# window ranking and pair budget on SciFact train (every window scored once, cached; then replayed)
python benchmarks/window_rank.py
