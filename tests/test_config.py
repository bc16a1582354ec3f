import dataclasses

import pytest
import yaml

import model
from model.config import RunConfig, build_config, defaults_dict
from model.errors import ConfigError


def all_param_fields(obj=None, prefix=""):
    """Every leaf field of every settings section (recursively), with its dotted key."""
    obj = RunConfig() if obj is None else obj
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from all_param_fields(value, f"{prefix}{f.name}.")
        elif isinstance(value, dict) and value and all(dataclasses.is_dataclass(v)
                                                       for v in value.values()):
            for k, v in value.items():
                yield from all_param_fields(v, f"{prefix}{f.name}.{k}.")
        else:
            yield f"{prefix}{f.name}", f


def test_defaults_validate_and_round_trip_through_yaml():
    cfg = build_config(defaults_dict())
    assert cfg == RunConfig()
    again = build_config(yaml.safe_load(cfg.to_yaml()) | {}, scenario=cfg.scenario)
    assert again == cfg


def test_every_numeric_parameter_has_a_source_and_assumed_ones_a_range():
    keys = [key for key, _ in all_param_fields()]
    assert "forest.carbon_fraction" in keys and "workers.asc_quit" in keys
    levers = ("policies.", "clusters.priority_shift", "clusters.ccn_shift", "seed", "run.",
              "firms.lottery_rounds", "firms.young_age_yr", "forest.max_")
    for key, f in all_param_fields():
        if key.startswith(levers):
            continue  # lever settings and run controls are choices, not estimates
        if isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
            source = f.metadata.get("source", "")
            assert source, f"{key} has no source"
            if "assumed" in source:
                lo, hi = f.metadata["range"]
                assert lo < hi, key
                assert lo <= f.default <= hi, f"{key}: default outside its plausible range"


def test_unknown_key_is_named_with_the_allowed_ones():
    with pytest.raises(ConfigError) as err:
        build_config({"run": {"agnt_scale": 0.1}})
    text = str(err.value)
    assert "run.agnt_scale: unknown key" in text
    assert "agent_scale" in text and "start_year" in text


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        build_config({"seed": "abc", "run": {"agent_scale": 1.5, "start_year": 2025.5},
                      "bogus": 1})
    problems = err.value.problems
    assert any(p.startswith("seed: expected an integer, got 'abc'") for p in problems)
    assert any(p.startswith("run.agent_scale: 1.5 is out of range") for p in problems)
    assert any(p.startswith("run.start_year: expected an integer") for p in problems)
    assert any(p.startswith("bogus: unknown key") for p in problems)
    assert len(problems) == 4


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"run": {"agent_scale": 0}}, "run.agent_scale: must be greater than 0"),
        ({"run": {"start_year": 2030, "end_year": 2030}}, "run.end_year: 2030 must be after"),
        ({"transport": {"corridors": {"ring_road_4": "soon"}}}, "'soon' is not allowed"),
        ({"transport": {"corridors": {"ring_road_4": 1066}}}, "1066 is out of range"),
        ({"transport": {"motorbike_max_speed_kmh": -3}}, "motorbike_max_speed_kmh: -3"),
        ({"run": {"progress": "yes"}}, "run.progress: expected true or false"),
    ],
)
def test_bad_values_are_rejected(settings, fragment):
    with pytest.raises(ConfigError, match=fragment):
        build_config(settings)


def test_never_is_a_valid_corridor_year():
    cfg = build_config({"transport": {"corridors": {"ring_road_4": "never", "x": 2031}}})
    assert cfg.transport.corridors == {"ring_road_4": "never", "x": 2031}


def test_load_config_merges_scenario_then_overrides():
    cfg = model.load_config("baseline", seed=7, agent_scale=0.2,
                            overrides={"run.end_year": 2031})
    assert (cfg.seed, cfg.run.agent_scale, cfg.run.end_year) == (7, 0.2, 2031)
    assert list(cfg.years) == list(range(2025, 2032))


def test_unknown_scenario_lists_the_available_ones():
    with pytest.raises(ConfigError, match=r"scenario 'nope' does not exist; available: .*baseline"):
        model.load_config("nope")
