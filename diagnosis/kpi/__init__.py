"""Maintenance indicators from production logs, failure lists, readings and the store.

OEE/TRS (:mod:`.oee`), Weibull (:mod:`.weibull`), reliability (:mod:`.reliability`),
drift watch (:mod:`.drift`), demo data (:mod:`.demo`), learning (:mod:`.learn`).
Formats: ``docs/kpi.md``.
"""
