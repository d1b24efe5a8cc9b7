# Two commands on a fresh machine: `make run` (the app, seeded) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test e2e lint bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tracker init
	$(BIN)/tracker seed
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile
	$(BIN)/pytest -m e2e -p no:xdist

e2e: $(STAMP)
	$(BIN)/pytest -m e2e -p no:xdist

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tracker

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script; done

demo: $(STAMP)
	$(BIN)/tracker demo
	DATABASE_URL=sqlite:///data/demo.db $(BIN)/streamlit run app.py --server.port $(PORT)

clean:
	rm -rf $(VENV) data/tracker.db data/tracker.db-wal data/tracker.db-shm
