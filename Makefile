# Two commands matter: `make demo` and `make test`. Everything they need is set up on first use.
.PHONY: demo test test-pure lint bench emulator i18n dist
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

# The wheel odoo-addon-shopify_sync in dist/ (whool).
dist:
	./tools/dist.sh

# Re-export i18n/shopify_sync.pot with Odoo and merge it into the .po files (I18N_DB=<db> to reuse one).
i18n:
	./tools/i18n.sh

bench: $(addprefix bench-,$(BENCHES))

bench-%:
	./tools/bench.sh $*
