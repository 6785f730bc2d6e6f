# Two commands matter: `make demo` and `make test`. Everything they need is set up on first use.
.PHONY: demo test lint bench emulator
BENCHES := $(patsubst bench/%.py,%,$(filter-out bench/_%,$(wildcard bench/*.py)))

demo:
	./tools/demo.sh

test:
	./tools/test.sh $(ARGS)

lint:
	./tools/lint.sh

bench: $(addprefix bench-,$(BENCHES))

bench-%:
	./tools/bench.sh $*
