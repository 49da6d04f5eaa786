// platformEndpoint is a plain http(s) URL and share readers/writers are user names: strings that
// reach an env var, a URL parser and RBAC-like entitlements are checked against their grammar.
import { validateConfig } from '../../../components/config';
import { baseConfig } from './fixtures';

const problemsOf = (config: Record<string, unknown>) => {
  const result = validateConfig(config);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('platformEndpoint', () => {
  it.each(['https://notebooks.example.com', 'http://10.0.0.5:8080/platform'])('accepts %s', (url) => {
    expect(problemsOf({ ...baseConfig(), platformEndpoint: url })).toEqual([]);
  });
  it.each(['https://notebooks.example.com/"; rm -rf /', 'https://user:pass@example.com', 'ftp://example.com', 'https://exa mple.com', "https://example.com/$(id)"])('refuses %j, naming the field', (url) => {
    expect(problemsOf({ ...baseConfig(), platformEndpoint: url })).toEqual([expect.stringMatching(/^notebook-platform:platformEndpoint: .*must be an http\(s\) URL/)]);
  });
});

describe('share readers and writers', () => {
  it.each([['readers', 'Bob'], ['writers', 'alice; drop'], ['readers', '../alice'], ['writers', '']])('refuses %s %j: owners are DNS labels', (field, name) => {
    const config = baseConfig();
    config.shares[2][field] = [name];
    expect(problemsOf(config)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^notebook-platform:shares\\[2\\]\\.${field}\\[0\\]: .*DNS label`))]));
  });
});
