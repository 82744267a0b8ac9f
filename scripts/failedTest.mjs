// A failed test as the suites record it for `npm test`'s closing list: its full title and the
// first line of its error.
export function failedTest(test, err) {
  return {
    title: test.fullTitle(),
    error: String(err?.message ?? err)
      .split('\n')[0]
      .slice(0, 300),
  };
}
