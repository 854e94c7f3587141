"""Answers to the lessons' checks and exercises, kept out of the lessons' sight.

Read a lesson's module only after you have answered in the lesson: it holds, for every
predict-then-reveal check, the answer, the hints for wrong choices and the explanation, and for
every exercise the checker that compares your result with the expected one.

One module per lesson (``lesson_00`` … ``lesson_09``). A check in a lesson reads::

    PredictRevealCheck("question ...", options=[...], reveal=answers.first_step())

and an exercise::

    answers.check_exercise_1(answer_1)

A checker prints "Correct" or "Not yet: ..." and returns the same verdict (``common.Verdict``,
true when right, shown as nothing), which the graded edition's tests assert.

A function whose answer depends on what the lesson computed takes those values as arguments.
"""
