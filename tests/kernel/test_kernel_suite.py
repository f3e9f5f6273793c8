"""The official kernel test suite, jupyter_kernel_test, run against parc with
a sample for every attribute it has, so that none of its tests is skipped."""
import unittest

import jupyter_kernel_test as jkt
from jupyter_client.manager import start_new_kernel

SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='20' height='20'>"
       "<circle cx='10' cy='10' r='8' fill='teal'/></svg>")


class ParcKernelTests(jkt.KernelTests):
    kernel_name = "parc"
    language_name = "c"
    file_extension = ".c"

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name)
        # A function of the session for inspect and the pager to describe.
        reply = cls.kc.execute_interactive(
            "int parc_answer(int x) { return x + 41; }", timeout=30)
        assert reply["content"]["status"] == "ok", reply["content"]

    code_hello_world = '#include <stdio.h>\nprintf("hello, world\\n");'
    code_stderr = '#include <stdio.h>\nfprintf(stderr, "to stderr\\n");'

    completion_samples = [
        {"text": "parc_ans", "matches": {"parc_answer"}},
        {"text": "int v = parc_answer(1) + parc_ans", "matches": {"parc_answer"}},
    ]

    complete_code_samples = [
        "1 + 1",
        "int x = 3;",
        "int f(void) { return 1; }",
        '#include <stdio.h>\nprintf("hi\\n");',
        "#define PLUS_ONE(x) x + 1 +",
        "parc_answer?",
        "??parc_answer",
    ]
    incomplete_code_samples = [
        "int g(void) {",
        "for (int i = 0; i < 3; i++) {",
        "int a[] = {1, 2,",
        "int v = parc_answer(1) +",
        "int *",
        "int c = 1,",
    ]
    invalid_code_samples = [
        "int h(void) { return 1; }}",
        "int x = (1 + 2));",
    ]

    code_page_something = "?parc_answer"
    code_inspect_sample = "parc_answer"

    code_generate_error = "int broken = ;"

    code_execute_result = [
        {"code": "6 * 7", "result": "(int) 42"},
        {"code": "parc_answer(1)", "result": "(int) 42"},
        {"code": "1.5 * 2", "mime": "text/plain"},
    ]
    code_history_pattern = "6 ? 7"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": f'parc_display_svg("{SVG}");', "mime": "image/svg+xml"},
        {"code": 'parc_display_html("<b>bold</b>");', "mime": "text/html"},
        {"code": 'parc_display_markdown("# Title");', "mime": "text/markdown"},
    ]

    code_clear_output = 'printf("x\\n"); parc_clear_output(0);'


class ParcIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "parc"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
