# Front Door. The two commands a newcomer needs:
#   make run    set up what is missing, train if the training data changed, start, print the chat address
#   make test   the same set-up, then every check and test
.DEFAULT_GOAL := help
API_PY := .venvs/api/bin/python
BOT_PY := .venvs/bot/bin/python
RASA := RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 .venvs/bot/bin/rasa
RASA_DATA := --config bot/config.yml --domain bot/domain --data bot/data intents

.PHONY: help setup setup-browser model run run-production test lint validate pytest nlu-report nlu-heldout nlu-variants bench clean

help:
	@echo "make run     start the assistant (sets up and trains as needed)"
	@echo "make run-production  the production profile: PostgreSQL, Redis, 2 Rasa, 2 API workers"
	@echo "make test    run every check and test (sets up and trains as needed)"
	@echo "make lint    ruff and mypy;  make validate  rasa data validate"
	@echo "make nlu-report  understanding on the frozen test set (reports/understanding-*.json)"
	@echo "make nlu-heldout  the intent model on held-out splits;  make bench  benchmarks"
	@echo "make nlu-variants  quick comparison of intent classifier variants"

setup:
	@scripts/setup.sh

setup-browser:
	@scripts/setup.sh --browser

model: setup
	@$(API_PY) scripts/train.py
	@$(API_PY) -m scripts.warm_caches

run: model
	@$(API_PY) -m scripts.run

# PostgreSQL, Redis, two Rasa processes, several API workers (docs/deployment.md).
run-production: model
	@$(API_PY) -m scripts.production

lint: setup
	$(API_PY) -m ruff check .
	$(API_PY) -m ruff format --check .
	$(API_PY) -m mypy

validate: setup
	$(RASA) data validate --fail-on-warnings $(RASA_DATA)

pytest:
	$(API_PY) -m pytest $(PYTEST_ARGS)

test: setup-browser model lint validate pytest

# How well it understands people as they write, on the frozen test set and the development
# sets, through the running service (about 35 minutes; docs/nlu.md).
nlu-report: model
	$(API_PY) -m scripts.understanding_report --sets frozen,dev,safety-dev,act-dev

# The intent model on held-out splits of its own examples (trains a model per split).
nlu-heldout: setup
	$(API_PY) -m scripts.nlu_report

# Quick comparison of classifier variants (a scikit-learn copy of the pipeline).
nlu-variants: setup
	RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 $(BOT_PY) -m scripts.nlu_variants

# About 8 minutes; the load benchmark needs PostgreSQL and Redis (docs/performance.md).
bench: setup-browser model
	$(API_PY) -m bench.safety_screen
	$(API_PY) -m bench.danger_net
	$(BOT_PY) -m bench.sentence_encoder
	$(API_PY) -m bench.exit_timing
	$(API_PY) -m bench.load
	$(API_PY) -m bench.flood
	$(API_PY) -m bench.message_latency
	$(API_PY) -m bench.referral_turns

clean:
	rm -rf .venvs models .rasa var reports test-artifacts
