"""nbclient executes notebooks with the parc kernel, as nbconvert and
papermill do."""
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'>"
       "<rect width='40' height='20' fill='orange'/></svg>")


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "parc", "display_name": "C (parc)", "language": "c"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def test_notebook_runs_and_outputs_are_kept(tmp_path):
    nb = notebook(
        "#include <stdio.h>\nint square(int x) { return x * x; }",
        'printf("square(7) = %d\\n", square(7));',
        "square(12)",
        f'parc_display_svg("{SVG}");',
    )
    NotebookClient(nb, timeout=60, kernel_name="parc").execute()
    c0, c1, c2, c3 = nb.cells
    assert c0.outputs == []
    assert c1.outputs[0].output_type == "stream"
    assert c1.outputs[0].text == "square(7) = 49\n"
    assert c2.outputs[0].output_type == "execute_result"
    assert c2.outputs[0].data["text/plain"] == "(int) 144"
    assert c2.execution_count == 3
    assert c3.outputs[0].output_type == "display_data"
    assert "<svg" in c3.outputs[0].data["image/svg+xml"]
    path = tmp_path / "ran.ipynb"
    nbformat.write(nb, path)
    nbformat.validate(nbformat.read(path, as_version=4))


def test_notebook_error_stops_execution():
    nb = notebook("int ok = 1;", "int broken = ;", "ok + 1")
    with pytest.raises(CellExecutionError) as info:
        NotebookClient(nb, timeout=60, kernel_name="parc").execute()
    assert "broken" in str(info.value) or "error" in str(info.value).lower()
    assert nb.cells[1].outputs[0].output_type == "error"
    assert nb.cells[2].outputs == []
