"""Regenerate the made-up example answers shipped in discourse/data/validate_example/.

They are NOT real coding: three simulated coders (accuracy 0.9, 0.75 and
0.6; see discourse.validate.simulate_answers) answer a validation export
made from LDA with K=4 on the seed corpus.  They exist so that the notebook
and the docs can show scoring without a real coding study.

    python scripts/validate_example.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import discourse
from discourse.validate import export_tasks, simulate_answers, source_from_result

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "discourse" / "data" / "validate_example"
ACCURACY = {"coder_01": 0.9, "coder_02": 0.75, "coder_03": 0.6}


def main() -> None:
    result = discourse.analyze(discourse.load_seeds(), by=("period", "outlet_country"), models=("lda",), k=4,
                               n_resamples=200, n_permutations=200, figures=False, progress=False)
    export = DEST / "export"
    if export.exists():
        shutil.rmtree(export)
    ex = export_tasks(source_from_result(result), export, n_coders=len(ACCURACY), random_state=0)
    shutil.rmtree(export / "coders")  # the pages are not needed to score; keep the package small
    answers = DEST / "answers"
    if answers.exists():
        shutil.rmtree(answers)
    answers.mkdir()
    frames = simulate_answers(ex.key, ex.export_id, ACCURACY, skip=0.05, random_state=14)
    for df in frames:
        coder = df["coder"].iat[0]
        if coder == "coder_03":  # one coder in the page's JSON format, to show both formats
            import json

            doc = {"format": "discourse-validate-answers", "version": 1, "export_id": ex.export_id, "coder": coder,
                   "answers": df.drop(columns=["export_id", "coder"]).to_dict("records")}
            (answers / f"answers_{coder}_{ex.export_id}.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        else:
            df.to_csv(answers / f"answers_{coder}_{ex.export_id}.csv", index=False, lineterminator="\n")
    print(f"wrote {export} and {len(frames)} answers files into {answers}")


if __name__ == "__main__":
    main()
