#!/usr/bin/env bash
# scripts/timed-stages with a group a+b+c (the Makefile's `make test`): the members run at the same
# time, each gets its own row, the output of each is printed whole, and a failing member fails the
# group with its exit code while the others still finish. Runs on a throwaway Makefile.
set -uo pipefail
script="$(cd "$(dirname "$0")/../.." && pwd)/scripts/timed-stages"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
# run-a and run-b each wait for the other's mark: they can only both finish if they run together.
cat > Makefile <<'MK'
run-a:
	@touch a.started; for i in $$(seq 100); do [ -f b.started ] && break; sleep 0.1; done; [ -f b.started ] && echo a-done
run-b:
	@touch b.started; for i in $$(seq 100); do [ -f a.started ] && break; sleep 0.1; done; [ -f a.started ] && echo b-done
run-c:
	@echo c-failing; exit 3
alone:
	@echo alone-done
MK
fail() { echo "FAIL: $*"; echo "--- output"; cat out; exit 1; }

"$script" t/table.tsv alone a+b alone > out 2>&1 || fail "a+b should pass"
grep -q '^a-done$' out && grep -q '^b-done$' out || fail "a and b did not run side by side"
grep -q $'^a+b\t[0-9]*\t[0-9]*\tok$' t/table.tsv || fail "no ok row for the group"
grep -q $'^  a\t[0-9]*\t[0-9]*\tok$' t/table.tsv && grep -q $'^  b\t[0-9]*\t[0-9]*\tok$' t/table.tsv ||
  fail "no row per member"
[ "$(grep -c $'^alone\t' t/table.tsv)" = 2 ] || fail "the stage after the group did not run"

rm -f a.started b.started
"$script" t/table.tsv a+c+b alone > out 2>&1; rc=$?
[ $rc -ne 0 ] || fail "a failing member must fail make test"
grep -q 'c-failing' out || fail "the failing member's output is not printed"
grep -q '^a-done$' out && grep -q '^b-done$' out || fail "the other members did not finish"
grep -q $'^  c\t[0-9]*\t[0-9]*\tFAILED' t/table.tsv || fail "the failing member is not marked"
grep -q $'^a+c+b\t[0-9]*\t[0-9]*\tFAILED' t/table.tsv || fail "the group is not marked failed"
grep -q $'^alone\t' t/table.tsv && fail "a stage ran after a failed group"
echo "timed-stages groups: ok"
