"""Tests of models/monitoring/: health endpoint, metrics and dashboard."""
