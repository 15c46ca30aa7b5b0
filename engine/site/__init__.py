"""The site: the engine plugged into MkDocs (and any Python-Markdown builder); the README's
"Architecture" names each file's job (the hook files are those listed under ``hooks:`` in ``mkdocs.yml``)."""
