"""Command-line help and hints: settings with units, defaults and descriptions; extras named."""

import subprocess
import sys

from model.__main__ import _key_hint, _launcher_hint, help_text
from model.config import RunConfig, walk_settings


def test_help_lists_every_setting_with_units_default_and_description():
    text = help_text()
    for key, default, meta in walk_settings(RunConfig()):
        if key == "scenario":
            continue
        assert f"\n  {key} = " in text, key
        if meta.get("units"):
            assert f"\n  {key} = " + text.split(f"\n  {key} = ", 1)[1].split("\n")[0] \
                .split(" [")[0] + f" [{meta['units']}]" in text, key
        if isinstance(default, int) and not isinstance(default, bool):
            assert f"\n  {key} = {default}" in text, key
    assert "\n  firms.usd_vnd = 26000 [VND/USD]\n      Exchange rate\n" in text
    assert "run.agent_scale = 1 [1]\n      Agents per real firm/worker" in text


def test_help_lists_scenarios_with_their_first_comment_and_presets_with_plus():
    text = help_text()
    assert "  baseline               Baseline: business as usual." in text
    assert "phu_tho_programme      Phú Thọ's programme: every lever of Phú Thọ Action Programme " \
           "No. 28-CTr/TU" in text
    assert "python -m model +sweep=<preset>" in text
    assert "  quick " in text
    assert 'python -m pip install -e ".[sweep]"' in text


def test_extras_and_preset_hints_name_the_command():
    assert 'python -m pip install -e ".[sweep]"' in _launcher_hint(
        "In 'hydra/launcher/slurm': Could not load 'hydra/launcher/submitit_slurm'.")
    assert _launcher_hint("Could not override 'seed'") == ""
    assert "+sweep=<preset>" in _key_hint("Could not override 'sweep'. No match in the defaults")


def test_region_help_is_plain_text():
    proc = subprocess.run([sys.executable, "-m", "model.region", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    assert "``" not in proc.stdout and ":data:" not in proc.stdout
    assert "Validate a folder of region tables" in proc.stdout
