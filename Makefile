# IoT data-engineering pattern catalog. `make` lists the targets.
# FOLDER=NN-name narrows test, bench and lint to one pattern folder.

SHELL        := /bin/bash
.DEFAULT_GOAL := help

PYTHON       ?= $(shell command -v python3.11 || command -v python3)
VENV         := .venv
PY           := $(VENV)/bin/python
JARS_DIR     := .jars
MVN          := mvn -q -B -s tools/jvm/maven-settings.xml
FOLDERS      := $(patsubst %/pyproject.toml,%,$(wildcard [0-9][0-9]-*/pyproject.toml))
TEST_TARGETS := $(if $(FOLDER),$(FOLDER),tools $(FOLDERS))
SETUP_STAMP  := $(VENV)/.installed
JARS_STAMP   := $(JARS_DIR)/.resolved
LOCAL_FS_JAR := $(JARS_DIR)/local-fs/no-fork-local-fs.jar
DEMO_SCRIPT  := $(firstword $(wildcard 03-streaming-architecture/examples/demo.py))

.PHONY: help setup test demo bench lint docs copy-check broker clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  FOLDER=NN-name narrows test, bench and lint to one folder (bench and copy-check need it)"

setup: $(SETUP_STAMP) $(JARS_STAMP) $(LOCAL_FS_JAR) ## Virtualenv, pinned packages (editable), JVM jars from Maven Central; idempotent

$(SETUP_STAMP): constraints.txt tools/pyproject.toml $(wildcard [0-9][0-9]-*/pyproject.toml)
	@test -n "$(PYTHON)" || { echo "expected python3.11 or python3 on PATH, found neither"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e 'tools[dev]' $(foreach f,$(FOLDERS),-e './$(f)[dev]')
	$(PY) -m catalog_tools.actionlint install || echo "actionlint not built (expected go on PATH): the workflow lint tests will skip"
	@touch $@

$(JARS_STAMP): tools/jvm/spark-jars.pom.xml tools/jvm/kafka-broker.pom.xml tools/jvm/kafka-connect.pom.xml tools/jvm/maven-settings.xml
	@command -v mvn >/dev/null || { echo "expected Maven (mvn) on PATH, found none"; exit 1; }
	@command -v java >/dev/null || { echo "expected Java 17 (java) on PATH, found none"; exit 1; }
	rm -rf $(JARS_DIR)/spark $(JARS_DIR)/kafka $(JARS_DIR)/connect
	$(MVN) -f tools/jvm/spark-jars.pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(JARS_DIR)/spark
	$(MVN) -f tools/jvm/kafka-broker.pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(JARS_DIR)/kafka
	$(MVN) -f tools/jvm/kafka-connect.pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(JARS_DIR)/connect
	@touch $@

# Hadoop's local file system without a chmod/readlink child process per file (tools/jvm/local-fs),
# compiled against the Hadoop client API that the installed pyspark ships.
$(LOCAL_FS_JAR): $(wildcard tools/jvm/local-fs/src/io/github/iotcatalog/localfs/*.java) $(SETUP_STAMP)
	@command -v javac >/dev/null || { echo "expected a Java 17 JDK (javac) on PATH, found none"; exit 1; }
	rm -rf $(JARS_DIR)/local-fs && mkdir -p $(JARS_DIR)/local-fs/classes
	javac --release 17 -Xlint:all -Werror -d $(JARS_DIR)/local-fs/classes \
	  -cp "$$($(PY) -c 'import glob, os, pyspark; print(*glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars", "hadoop-client-api-*.jar")))')" \
	  $(filter %.java,$^)
	jar cf $@ -C $(JARS_DIR)/local-fs/classes .
	rm -rf $(JARS_DIR)/local-fs/classes

test: setup ## Run every folder's tests (each in its own pytest process) and print a summary table
	$(PY) -m catalog_tools.folder_tests $(TEST_TARGETS)

demo: setup ## Run the main job on the local stack: Kafka (SASL_SSL) -> Spark -> Delta
	$(PY) $(if $(DEMO_SCRIPT),$(DEMO_SCRIPT),-m catalog_tools.demo)

bench: setup ## Run FOLDER's benchmarks/*.py (one benchmark at a time on the machine), compare with its baseline (TOLERANCE=0.25)
	@test -n "$(FOLDER)" || { echo "expected FOLDER=NN-name, e.g. make bench FOLDER=02-schema-evolution"; exit 1; }
	$(PY) -m catalog_tools.bench_runner $(FOLDER) --tolerance $(or $(TOLERANCE),0.25) $(BENCH_ARGS)

# Every check runs, then lint fails if any did: one run lists everything to fix.
lint: setup ## ruff, catalog shape, Markdown (paths, links, README shape), Measured tables match their JSON
	@status=0; \
	$(VENV)/bin/ruff check $(if $(FOLDER),$(FOLDER),tools $(FOLDERS)) || status=1; \
	$(PY) -m catalog_tools.catalog_shape --root . || status=1; \
	$(PY) -m catalog_tools.markdown_checks --root . || status=1; \
	$(PY) -m catalog_tools.measured_docs --check . || status=1; \
	exit $$status

docs: setup ## Render every Markdown Measured table from its benchmarks/results JSON
	$(PY) -m catalog_tools.measured_docs --write .

copy-check: setup ## Copy FOLDER out of the repo, install it in a fresh virtualenv, run its tests there
	@test -n "$(FOLDER)" || { echo "expected FOLDER=NN-name, e.g. make copy-check FOLDER=01-authentication-security"; exit 1; }
	$(PY) -m catalog_tools.copy_check $(FOLDER)

broker: setup ## Start the embedded Kafka broker, print client properties, run until Ctrl-C
	$(PY) -m catalog_tools.cli broker

clean: ## Remove test reports and caches (keeps the virtualenv and jars)
	rm -rf .test-results .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
