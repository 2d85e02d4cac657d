"""Data shipped with the program: the bundled knowledge base, fault trees and exercises.

``knowledge_base/``, ``fault_trees/`` and ``exercises/`` stay top-level folders of the
repository; here they are links to them, and a wheel carries the folders
themselves. Find them with :func:`diagnosis.kb.bundled_kb_dir` and
:func:`diagnosis.kb.bundled_fault_tree_dir` and
:func:`diagnosis.training.model.bundled_exercise_dir` (``importlib.resources``).
"""
