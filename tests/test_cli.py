"""End-to-end runs of ``python -m model`` in a temporary folder."""

from pathlib import Path

import pytest
import xarray as xr

from model.testing import check_results

from .conftest import copy_region, run_cli


def results_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("results.nc"))


def test_default_command_writes_a_conforming_results_file(tmp_path):
    proc = run_cli("run.end_year=2028", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [path] = results_files(tmp_path / "outputs" / "runs")
    # outputs/runs/<date>/<time>/results.nc
    assert len(path.relative_to(tmp_path / "outputs" / "runs").parts) == 3
    assert (path.parent / "summary.txt").read_text().strip() in proc.stdout
    with xr.open_dataset(path) as ds:
        assert check_results(ds) == []
        assert ds.attrs["scenario"] == "baseline"
        assert int(ds.attrs["seed"]) == 0
        assert ds["year"].values.tolist() == [2025, 2026, 2027, 2028]
        assert "Việt Trì" in ds["zone_name"].values
    assert "Traceback" not in proc.stderr


def test_scenario_seed_and_output_folder(tmp_path):
    out = tmp_path / "chosen"
    proc = run_cli("scenario=corridors", "seed=3", "run.end_year=2027",
                   f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out / "results.nc") as ds:
        assert ds.attrs["scenario"] == "corridors"
        assert int(ds.attrs["seed"]) == 3
        assert "seed: 3" in ds.attrs["config_yaml"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run.agnt_scale=0.1"],
         ["run.agnt_scale", "Keys at run: start_year, end_year, agent_scale"]),
        (["run.agent_scale=abc"], ["run.agent_scale: expected a number, got 'abc'"]),
        (["run.agent_scale=1.5"], ["run.agent_scale: 1.5 is out of range"]),
        (["scenario=nope"], ["nope", "baseline"]),
        (["+run.bogus=1"], ["run.bogus: unknown key"]),
        (["run.end_year=2020"], ["run.end_year: 2020 must be after run.start_year"]),
        (["region.path=/nonexistent/region"], ["/nonexistent/region", "not a folder"]),
        (["+transport.corridors.warp_drive=2030"], ["warp_drive: unknown corridor"]),
        (["seed=[1"], ["'[1'", "override_grammar"]),
    ],
)
def test_user_errors_exit_2_with_the_key_named_and_no_results(tmp_path, args, expected):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    for fragment in expected:
        assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert results_files(tmp_path) == []


def test_invalid_region_folder_exits_2_naming_file_and_line(tmp_path):
    region = copy_region(tmp_path / "region")
    zones = (region / "zones.csv").read_text(encoding="utf-8").splitlines()
    zones[3] = zones[3].replace(zones[3].split(",")[0], zones[2].split(",")[0], 1)
    (region / "zones.csv").write_text("\n".join(zones) + "\n", encoding="utf-8")
    proc = run_cli(f"region.path={region}", cwd=tmp_path)
    assert proc.returncode == 2
    assert "zones.csv, line 4, column 'zone_id': duplicate zone_id" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert results_files(tmp_path) == []


def test_unwritable_output_folder_exits_2(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = run_cli(f"hydra.run.dir={blocker}/run", "run.end_year=2026", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "cannot write" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr
    assert results_files(tmp_path) == []


def test_help_lists_scenarios(tmp_path):
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for name in ("baseline", "capital_region", "carbon_credits", "corridors",
                 "land_rent_exemption", "phu_tho_programme", "thai_nguyen_plan"):
        assert f"\n  {name} " in proc.stdout


def test_mapping_settings_take_new_keys_without_plus_and_ascii_province_names(tmp_path):
    out = tmp_path / "run"
    proc = run_cli("run.end_year=2027", "transport.corridors.ring_road_5=2029",
                   "policies.housing.units_per_year={phu_tho: 2000}",
                   "policies.exemptions.mine={years: 5, clusters: priority}",
                   f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out / "results.nc") as ds:
        text = ds.attrs["config_yaml"]
    assert "ring_road_5: 2029" in text and "phu_tho: 2000" in text and "mine:" in text
    bad = run_cli("run.end_year=2027", "policies.housing.units_per_year={atlantis: 1}",
                  cwd=tmp_path)
    assert bad.returncode == 2
    assert "atlantis: unknown province" in bad.stderr and "Phú Thọ" in bad.stderr
