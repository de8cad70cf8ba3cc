"""The built-in worksheet kinds and their fields.

A worksheet is a structured page of the learner's own text. The fields of
each kind follow the standard forms in the literature (the seven-column
thought record, a CBT case conceptualisation, a psychodynamic formulation
that describes, reviews and links, and an integrated treatment plan); an exercise file adds a case, a prompt
and an optional example, never new fields, so every learner's export has the
same shape.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WORKSHEET_FIELDS", "Field"]


@dataclass(frozen=True)
class Field:
    """One field of a worksheet.

    Attributes
    ----------
    id : str
        Stable id; the key in progress files and exports.
    label : str
        Short label shown above the text box.
    help : str
        One line on what belongs in the field.
    """

    id: str
    label: str
    help: str


WORKSHEET_FIELDS: dict[str, tuple[Field, ...]] = {
    "thought-record": (
        Field("situation", "Situation", "Where, when, with whom: the facts a camera would record."),
        Field("emotions", "Emotions", "Each emotion and its intensity from 0 to 100."),
        Field(
            "automatic-thoughts",
            "Automatic thoughts",
            "What went through the mind; mark the hottest thought.",
        ),
        Field("evidence-for", "Evidence for the hot thought", "Facts that support it."),
        Field("evidence-against", "Evidence against the hot thought", "Facts that do not fit it."),
        Field(
            "balanced-thought",
            "Alternative or balanced thought",
            "A thought that fits all the evidence, with how much it is believed (0-100).",
        ),
        Field("outcome", "Outcome", "The emotions re-rated, and what might be done next."),
    ),
    "formulation-cbt": (
        Field(
            "problems",
            "Presenting problems and diagnoses",
            "Symptoms, problems and diagnoses in the patient's words and ours.",
        ),
        Field(
            "formative-influences",
            "Formative influences",
            "Developmental experiences that shaped beliefs.",
        ),
        Field(
            "situational-issues",
            "Current situational issues",
            "Stressors, relationships, work, housing.",
        ),
        Field(
            "biological-factors",
            "Biological, genetic and medical factors",
            "Illness course, family history, medication, medical problems.",
        ),
        Field("strengths", "Strengths and assets", "What the patient brings to treatment."),
        Field(
            "cycle",
            "Situation, thoughts, emotions, behaviour",
            "One recent example traced through the cognitive model.",
        ),
        Field(
            "core-beliefs",
            "Core beliefs and underlying assumptions",
            "Beliefs about self, others and the future.",
        ),
        Field("hypothesis", "Working hypothesis", "How the above explain the problems now."),
        Field("plan", "Treatment plan", "Goals and the interventions that follow from the hypothesis."),
    ),
    "formulation-psychodynamic": (
        Field(
            "problem",
            "Describe: problems and patterns",
            "The presenting problem and the recurring patterns in self-experience, "
            "relationships and adaptation.",
        ),
        Field(
            "defenses",
            "Describe: characteristic defences",
            "How the patient manages painful feelings and conflict.",
        ),
        Field(
            "development",
            "Review: developmental history",
            "Relationships, events and losses across development.",
        ),
        Field(
            "link",
            "Link: how the history explains the patterns",
            "A hypothesis using conflict, object relations, self or trauma.",
        ),
        Field(
            "relationship",
            "Transference and countertransference",
            "How the patterns may appear with the clinician, and what the clinician feels.",
        ),
        Field(
            "implications",
            "Implications for treatment",
            "Where on the supportive-expressive continuum to work, and why.",
        ),
    ),
    "treatment-plan": (
        Field(
            "problems-formulation",
            "Problem list and formulation",
            "Diagnoses and problems, and a brief integrated formulation of why now and what maintains them.",
        ),
        Field(
            "goals",
            "Goals agreed with the patient",
            "What the patient wants, in their words, and the shared goals that follow.",
        ),
        Field(
            "approaches",
            "Approaches chosen and why",
            "Which supportive, psychodynamic, CBT or other approaches, and what in the case justifies each.",
        ),
        Field(
            "combination-sequence",
            "Combination and sequence",
            "How the approaches and medication fit together, and what comes first, next and later.",
        ),
        Field(
            "risk-safety",
            "Risk and safety plan",
            "Suicide, violence, capacity, safeguarding and substance use, with the plan for each.",
        ),
        Field(
            "measures",
            "Measures of progress",
            "How you and the patient will know the plan is working, and when you will review it.",
        ),
        Field(
            "handover",
            "Handover",
            "What the next clinician or setting needs to know to continue the plan.",
        ),
    ),
    "reflection": (
        Field(
            "response",
            "Your reflection",
            "Write freely; only you can see this text unless you export it.",
        ),
    ),
}
"""Fields of each worksheet kind, in display order."""
