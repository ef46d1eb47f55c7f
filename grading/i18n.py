"""What the grader tells trainees and trainers, in Chinese and English (via ``sim.i18n``)."""

from __future__ import annotations

from sim import i18n

i18n.register(
    {
        "grading.reason.kernel_died": (
            "Python 内核在这之前停止了(例如调用了 os._exit、内存用尽或超出 CPU 时间),"
            "这个单元格及之后的单元格没有运行,计 0 分。",
            "The Python kernel stopped before this cell (for example os._exit, memory "
            "exhausted or CPU time used up), so this cell and the ones after it did not "
            "run and score 0.",
        ),
        "grading.reason.notebook_timeout": (
            "整个笔记本超出了评分时间上限,这个单元格没有运行,计 0 分。",
            "The notebook used up its grading time limit, so this cell did not run and scores 0.",
        ),
        "grading.reason.output_capped": (
            "[评分:这个单元格的输出太多,后面的输出已省略]",
            "[grader: this cell printed too much; the rest of its output was dropped]",
        ),
        "grading.reason.no_verdict": (
            "测试没有给出结果(笔记本关闭了结果显示),不计分。",
            "The test showed no result (the notebook switched off result display), so it "
            "scores nothing.",
        ),
        "grading.note.header": ("评分说明", "Notes from the grader"),
        "grading.note.kernel_died": (
            "第 {cell} 个单元格运行时 Python 内核停止了;之后的单元格没有运行,计 0 分。",
            "The Python kernel stopped while running cell {cell}; the cells after it did "
            "not run and score 0.",
        ),
        "grading.note.notebook_timeout": (
            "笔记本运行超过 {seconds} 秒的上限,剩下的单元格没有运行。",
            "The notebook ran past its {seconds}-second limit; the remaining cells did not run.",
        ),
        "grading.note.cell_timeout": (
            "第 {cell} 个单元格超过了 {seconds} 秒的时间上限,被中断。",
            "Cell {cell} ran past its {seconds}-second limit and was interrupted.",
        ),
        "grading.note.output_capped": (
            "第 {cell} 个单元格输出超过 {kb} kB,多余部分已省略。",
            "Cell {cell} printed more than {kb} kB; the rest was dropped.",
        ),
        "grading.note.tampering": (
            "测试前发现笔记本改动了评分要用的函数或设置({changed}),已恢复原样后再评分。",
            "Before a test, the notebook had changed functions or settings the tests use "
            "({changed}); they were put back before grading.",
        ),
        "grading.note.repaired": (
            "笔记本的结构被改动过(删除、改写了测试单元格或元数据:{detail})。"
            "评分时使用原始练习本,只保留你的答案单元格。",
            "The notebook's structure had been changed (test cells or metadata deleted or "
            "edited: {detail}). It was graded on the original exercise notebook with only "
            "your answer cells kept.",
        ),
        "grading.note.restored": (
            "笔记本里的测试单元格被删除或改动过({detail}),评分时已换回原来的测试。",
            "Test cells had been deleted or edited ({detail}); the original tests were put "
            "back for grading.",
        ),
        "grading.note.grader_error": (
            "评分程序处理这个笔记本时出错({detail}),请联系培训师。",
            "The grader failed on this notebook ({detail}); please contact your trainer.",
        ),
        "grading.note.unreadable": (
            "提交的文件无法作为笔记本读取({detail}),计 0 分。",
            "The submitted file could not be read as a notebook ({detail}) and scores 0.",
        ),
        "grading.note.missing": (
            "没有找到这个笔记本的提交,计 0 分。",
            "No submission was found for this notebook; it scores 0.",
        ),
    }
)


def reason_text(kind: str, lang: str | None = None) -> str:
    """The one-line reason shown on a cell that did not run or earned nothing."""
    return i18n.t(f"grading.reason.{kind}", lang)


def note_text(note: dict, lang: str | None = None) -> str:
    """A feedback sentence for one thing the grader noticed."""
    detail = {k: v for k, v in note.items() if k != "kind"}
    if "changed" in detail:
        detail["changed"] = ", ".join(detail["changed"])
    if "cell" in detail:
        detail["cell"] = int(detail["cell"]) + 1
    return i18n.t(f"grading.note.{note['kind']}", lang, **detail)
