#!/usr/bin/env python3
"""A plain pandas peer of csat, for the README's speed comparison.

Reads the month that `csat bench --sizes N` generated and loaded (the
问卷星 xlsx with python-calamine, the call-centre CSV with pandas),
computes what csat's report leads with -- the company score, the
department scores and the company Pareto by count -- by the same rules
(SPEC "Scores" and "Root-cause ranking", the questions, keyword rules and
no-problem texts of the bench's csat.toml), writes them to a workbook, and
compares them with the workbook csat wrote for the same month.

    python3 -m venv ~/.cache/csat-peer-venv
    ~/.cache/csat-peer-venv/bin/pip install pandas python-calamine xlsxwriter
    csat bench --sizes 2000000
    ~/.cache/csat-peer-venv/bin/python bench/peer_pandas.py data/bench/month-2000000

Prints its own time and peak memory (this process), the figures, and
whether they agree with csat's.
"""

import glob
import os
import re
import resource
import sys
import time
import tomllib

import pandas as pd
from python_calamine import CalamineWorkbook

START = time.perf_counter()

LIKERT = {
    "很满意": 5, "非常满意": 5, "极佳": 5,
    "满意": 4, "较满意": 4, "比较满意": 4,
    "一般": 3, "基本满意": 3,
    "不满意": 2, "较不满意": 2, "不太满意": 2,
    "很不满意": 1, "非常不满意": 1, "极不满意": 1,
}
SCALE_MAX = {"likert5": 5.0, "stars5": 5.0, "tier10": 10.0, "nps10": 10.0}
LOW_MAX = {"likert5": 2.0, "stars5": 2.0, "tier10": 3.0, "nps10": 6.0}
# csat's defaults ([pareto] no_problem_texts) when the configuration has none.
NO_PROBLEM = ["无", "没有", "暂无", "无意见", "没意见", "没有意见", "无问题", "没有问题", "无异常",
              "正常", "满意", "很满意", "非常满意", "好", "很好", "挺好", "还好", "不错", "可以",
              "/", "-", "--", "—", "——", "N/A", "NA", "none", "nil", "ok"]
TRIM = " \t\r\n\u3000。.!！,，;；~～"
OTHER = {"其他", "未分类", "other", "Other"}


def normalize_header(text):
    text = str(text).strip().lower().rstrip(":：").strip()
    return re.sub(r"^(q?\d+[、.．]|第\d+题)\s*", "", text)


def question_columns(columns, questions, source):
    """(column, question) for every column a question of `source` matches."""
    found = []
    for column in columns:
        header = normalize_header(column)
        for question in questions:
            if question.get("source", source) != source:
                continue
            if normalize_header(question["match"]) in header:
                found.append((column, question))
                break
    return found


def long_answers(frame, columns, parse):
    parts = []
    for column, question in columns:
        values = frame[column].map(parse)
        values = values[values.notna()]
        parts.append(pd.DataFrame({"key": question["key"], "value": values.astype(float)}))
    return pd.concat(parts, ignore_index=True)


def main(directory):
    config = tomllib.load(open(os.path.join(directory, "csat.toml"), "rb"))
    indicators = {i["key"]: i["name"] for i in config["indicators"]}
    questions = config["questions"]
    for question in questions:
        question.setdefault("category", indicators.get(question["indicator"], question["indicator"]))
    by_key = {q["key"]: q for q in questions}
    departments = [(d["key"], d["name"]) for d in config["departments"]]
    no_problem = {t.strip(TRIM).lower() for t in config.get("pareto", {}).get("no_problem_texts", NO_PROBLEM)}
    rules = config.get("keyword_rules", [])

    survey_path = glob.glob(os.path.join(directory, "archive", "*", "问卷星_bench_*.xlsx"))[0]
    calls_path = glob.glob(os.path.join(directory, "archive", "*", "回访记录_bench_*.csv"))[0]

    workbook = CalamineWorkbook.from_path(survey_path)
    rows = workbook.get_sheet_by_index(0).to_python()
    survey = pd.DataFrame(rows[1:], columns=rows[0])
    del rows
    calls = pd.read_csv(calls_path, dtype=str, keep_default_na=False)
    calls = calls[calls["接通状态"] == "已接通"]

    def survey_value(text):
        text = str(text).strip()
        if text in LIKERT:
            return LIKERT[text]
        try:
            return float(text)
        except ValueError:
            return None

    def number(text):
        try:
            return float(text)
        except ValueError:
            return None

    answers = pd.concat([
        long_answers(survey, question_columns(survey.columns, questions, "wjx_survey"), survey_value),
        long_answers(calls, question_columns(calls.columns, questions, "callcenter_callbacks"), number),
    ], ignore_index=True)

    # Scores: M = sum of item means / sum of scale maxima x 100.
    items = answers.groupby("key")["value"].mean().rename("mean").reset_index()
    items["max"] = items["key"].map(lambda k: SCALE_MAX[by_key[k]["scale"]])
    items["department"] = items["key"].map(lambda k: by_key[k]["department"])
    company = items["mean"].sum() / items["max"].sum() * 100
    department_scores = []
    for key, name in departments:
        rows = items[items["department"] == key]
        if len(rows):
            department_scores.append((name, rows["mean"].sum() / rows["max"].sum() * 100))

    # Pareto: low answers by their question's category, callback remarks
    # that are not placeholders by the first keyword rule, else 未分类.
    low_max = answers["key"].map(lambda k: LOW_MAX[by_key[k]["scale"]])
    low = answers[answers["value"] <= low_max]
    categories = low["key"].map(lambda k: by_key[k]["category"]).value_counts()
    remarks = calls["客户反馈"].astype(str)
    real = remarks[~remarks.map(lambda r: r.strip(TRIM).lower() in no_problem or r.strip(TRIM) == "")]

    def remark_category(remark):
        for rule in rules:
            if rule["keyword"] in remark:
                return rule["category"]
        return "未分类"

    categories = categories.add(real.map(remark_category).value_counts(), fill_value=0).astype(int)
    pareto = sorted(categories.items(), key=lambda kv: (kv[0] in OTHER, -kv[1], kv[0]))
    total = sum(n for _, n in pareto)

    out = os.path.join(directory, "peer_pandas.xlsx")
    with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
        pd.DataFrame({"company satisfaction %": [company]}).to_excel(writer, sheet_name="总览", index=False)
        pd.DataFrame(department_scores, columns=["部门", "满意度%"]).to_excel(writer, sheet_name="部门得分", index=False)
        pd.DataFrame(pareto, columns=["问题类别", "问题数"]).assign(
            占比=lambda f: f["问题数"] / total * 100,
            累计占比=lambda f: f["问题数"].cumsum() / total * 100,
        ).to_excel(writer, sheet_name="问题柏拉图", index=False)

    seconds = time.perf_counter() - START
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peer (pandas + python-calamine): {seconds:.2f} s, peak RSS {peak_mb:.1f} MB, "
          f"{len(answers)} answers, {total} problems")
    print(f"company satisfaction {company:.4f} %")
    for name, score in department_scores:
        print(f"  {name}: {score:.4f} %")
    print("pareto: " + ", ".join(f"{c} {n}" for c, n in pareto))
    compare(directory, company, department_scores, pareto)


def compare(directory, company, department_scores, pareto):
    """The same figures from csat's workbook (总览, 部门得分, 问题柏拉图)."""
    path = glob.glob(os.path.join(directory, "reports", "*", "csat-report-*.xlsx"))[0]
    workbook = CalamineWorkbook.from_path(path)
    differences = []

    summary = workbook.get_sheet_by_name("总览").to_python()
    theirs = next(row[1] for row in summary if row[0] == "公司满意度") * 100
    if abs(theirs - company) > 1e-6:
        differences.append(f"company: csat {theirs}, peer {company}")

    departments = workbook.get_sheet_by_name("部门得分").to_python()
    header = next(i for i, row in enumerate(departments) if "部门" in row)
    name_col = departments[header].index("部门")
    score_col = next(i for i, h in enumerate(departments[header]) if "满意度" in str(h))
    theirs = {row[name_col]: row[score_col] for row in departments[header + 1:]
              if row[name_col] and isinstance(row[score_col], float)}
    for name, score in department_scores:
        # csat writes percentages as fractions with a % format.
        value = theirs.get(name)
        value = value * 100 if value is not None and value <= 1.5 else value
        if value is None or abs(value - score) > 1e-6:
            differences.append(f"{name}: csat {value}, peer {score}")

    sheet = workbook.get_sheet_by_name("问题柏拉图").to_python()
    header = next(i for i, row in enumerate(sheet) if "问题类别" in row)
    cat_col = sheet[header].index("问题类别")
    n_col = sheet[header].index("件数")
    theirs = []
    for row in sheet[header + 1:]:
        if not row[cat_col] or not isinstance(row[n_col], (int, float)):
            break
        theirs.append((row[cat_col], int(row[n_col])))
    if theirs != [(c, int(n)) for c, n in pareto]:
        differences.append(f"pareto: csat {theirs}, peer {pareto}")
    if differences:
        print("DIFFERENT from csat:\n  " + "\n  ".join(differences))
    else:
        print(f"agrees with csat ({os.path.relpath(path, directory)}): company and department scores, Pareto")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/bench/month-2000000")
