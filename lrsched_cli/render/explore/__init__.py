"""``lrsched explore``: the full-screen app (Textual) and what it shows (:mod:`.model`,
which imports no Textual)."""
