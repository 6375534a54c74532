"""The training schedule: warm-up + linear decay, repeated per cycle (warm restarts)."""
from verify.nli.train import lr_schedule, load_config


def test_a_two_cycle_run_starts_exactly_like_the_one_cycle_run(repo):
    one = load_config(repo / "benchmarks" / "train" / "minilm-nli-cpu-1ep.yaml")
    two = load_config(repo / "benchmarks" / "train" / "minilm-nli-2ep.yaml")
    assert two.model_copy(update={"epochs": 1.0, "lr_cycles": 1, "cycle_lr_decay": 1.0}) == one
    steps = 4018
    f, g = lr_schedule(one, steps), lr_schedule(two, 2 * steps)
    assert all(f(s) == g(s) for s in range(steps))  # so the 2-epoch run resumes from the 1-epoch checkpoint
    assert g(steps - 1) < 0.01 and g(steps + int(0.06 * steps)) == 0.5  # warm restart to half the peak
    assert max(g(s) for s in range(steps, 2 * steps)) == 0.5 and g(2 * steps - 1) < 0.01
    three = load_config(repo / "benchmarks" / "train" / "minilm-nli-3ep.yaml")
    assert three.model_copy(update={"epochs": 2.0, "lr_cycles": 2}) == two
    h = lr_schedule(three, 3 * steps)
    assert all(g(s) == h(s) for s in range(2 * steps))  # so the 3-epoch run resumes from the 2-epoch checkpoint
    assert max(h(s) for s in range(2 * steps, 3 * steps)) == 0.25
