"""The example notebook runs top to bottom, headless, with few trials."""

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_example_notebook_runs(root, monkeypatch):
    path = root / "examples" / "python-notebook.ipynb"
    notebook = nbformat.read(path, as_version=4)
    monkeypatch.setenv("SUPPLYRISK_NOTEBOOK_TRIALS", "2000")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # The matplotlib figures and the result's own chart came out as images.
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4
