"""``python -m engine.data``: the old name of ``python -m engine.core.data``, kept for scripts."""

if __name__ == "__main__":
    from engine.core.data import main

    raise SystemExit(main())
