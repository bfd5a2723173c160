"""Who may read whose data: the eight roles, a permission matrix, and the check every read takes.

``permissions`` names what can be read and the regulation's default matrix; ``matrix`` overlays a
school's own choices (``journal roles``); ``policy`` decides and audits each read of a student
(``authorize``), or just answers for menus and lists (``can_read``, ``readable``); ``facts``
holds its two set-based statements; ``windows`` limits a read across a pupil's transfer to the
reader's part of its dates; ``classes`` reads a whole class at once, by date. The rules are
documented in ``docs/access.md``.
"""
