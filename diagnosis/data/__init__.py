"""Data shipped with the program: the bundled knowledge base and fault trees.

``knowledge_base/`` and ``fault_trees/`` stay top-level folders of the
repository; here they are links to them, and a wheel carries the folders
themselves. Find them with :func:`diagnosis.kb.bundled_kb_dir` and
:func:`diagnosis.kb.bundled_fault_tree_dir` (``importlib.resources``).
"""
