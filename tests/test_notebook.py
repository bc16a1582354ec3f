"""The researcher notebook runs top to bottom (nbclient)."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "compare_scenarios.ipynb"


def test_compare_scenarios_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.delenv("HNCR_SWEEP", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the two figures are displayed"
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "rent forgone per extra ha let" in text
    assert "Land|Industrial Clusters|Occupancy" in text
