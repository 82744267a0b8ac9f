// The conformance scenario runs Tasklane is known to fail, each with the reason, keyed
// "<scenario>@<protocol version it ran at>", e.g.
//   'tools-call-with-logging@2025-11-25': 'Not implemented: <what the scenario needs and why Tasklane does not do it>',
// scripts/conformance.mjs does not fail the run for these, fails it for any other failure, and
// reports an entry here that passes (remove it then). docs/interop.md shows the reasons next to
// the results. Empty: every run of the pinned suite passes.
export const EXPECTED_FAILURES = {};
