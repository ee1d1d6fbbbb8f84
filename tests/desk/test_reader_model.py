"""The press-release reader's language model (engagements/desk/pressrelease/nlp.py): the
installed weights are the released ones, the model is loaded once, and it finds names
(`person_spans`, which replaced `analyse`)."""

from __future__ import annotations

from engagements.desk.pressrelease import nlp


def test_the_installed_model_files_are_the_released_ones():
    folder = nlp._model_dir()
    assert folder is not None, f"{nlp.MODEL_PACKAGE} {nlp.MODEL_VERSION} is not installed"
    assert nlp.model_files_intact(folder)


def test_a_folder_holding_a_wrong_weights_file_is_not_intact(tmp_path):
    for relative in nlp.MODEL_WEIGHTS_SHA256:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not the released weights")
    assert not nlp.model_files_intact(tmp_path)


def test_a_folder_missing_a_weights_file_is_not_intact(tmp_path):
    assert not nlp.model_files_intact(tmp_path)


def test_the_language_model_is_loaded_once():
    first = nlp.language_model()
    assert nlp.language_model() is first


def test_the_model_finds_a_person_in_a_simple_sentence():
    text = "On Monday, Maria Lindqvist met the trade delegation in Stockholm."
    spans = nlp.person_spans(text)
    assert [text[start:end] for start, end in spans] == ["Maria Lindqvist"]


def test_a_sentence_naming_no_one_has_no_person():
    assert nlp.person_spans("The trade fair opened in the autumn with forty stands.") == []
