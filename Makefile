# Two commands matter: `make demo` and `make test`. Everything they need is set up on first use.
.PHONY: demo test test-pure lint bench emulator
BENCHES := $(patsubst bench/%.py,%,$(filter-out bench/_%,$(wildcard bench/*.py)))

demo:
	./tools/demo.sh

test:
	./tools/test.sh $(ARGS)

# The pure tests only (no database): seconds.
test-pure:
	./tools/test_pure.sh $(ARGS)

lint:
	./tools/lint.sh

bench: $(addprefix bench-,$(BENCHES))

bench-%:
	./tools/bench.sh $*
