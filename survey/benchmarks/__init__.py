"""Peer benchmarks, trends and questionnaire quality (DESIGN §5): a pure core over numpy
arrays and pandas frames (:mod:`survey.benchmarks.core`, :mod:`survey.benchmarks.quality`)
and a thin service that loads a round's stored scores, calls it once and stores the result."""
