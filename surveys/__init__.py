"""Questionnaires and responses: model, item bank, blueprints, renderers, storage, importers."""
