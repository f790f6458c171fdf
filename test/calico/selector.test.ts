import fc from 'fast-check';
import {
  Labels,
  Selector,
  isValidSelectorKey,
  matchesSelector,
  parseSelector,
  printSelector,
  sel,
  selectorEquals,
} from '../../lib/calico/selector';

function parsed(text: string): Selector {
  const result = parseSelector(text);
  if (!result.ok) {
    throw new Error(`expected ${JSON.stringify(text)} to parse, got ${result.error.message} at ${result.error.offset}`);
  }
  return result.selector;
}

const a1 = sel.eq('a', '1');
const b2 = sel.eq('b', '2');
const c3 = sel.eq('c', '3');

describe('parseSelector', () => {
  // Operators and literals as in Calico's docs and tokenizer_test.go / parser_test.go.
  // https://docs.tigera.io/calico/3.32/reference/resources/networkpolicy#selectors
  it.each<[string, Selector]>([
    ['all()', sel.all()],
    ['global()', sel.global()],
    ['has(a)', sel.has('a')],
    ['!has(a)', sel.not(sel.has('a'))],
    ['a == "b"', sel.eq('a', 'b')],
    ["a == 'b'", sel.eq('a', 'b')],
    ['a != "b"', sel.neq('a', 'b')],
    ['a contains "b"', sel.contains('a', 'b')],
    ['a starts with "b"', sel.startsWith('a', 'b')],
    ['a ends with "b"', sel.endsWith('a', 'b')],
    ['a in {"x", "y"}', sel.in('a', ['x', 'y'])],
    ['a not in {"x", "y"}', sel.notIn('a', ['x', 'y'])],
    ['a in {}', sel.in('a', [])],
    ['a not in {}', sel.notIn('a', [])],
    // Single quotes hold ", double quotes hold '; no escape sequences.
    [`a == '"'`, sel.eq('a', '"')],
    [`a == "'"`, sel.eq('a', "'")],
    [`a in {"'", '"', "c"}`, sel.in('a', ['"', "'", 'c'])],
    ['a == "x\\y"', sel.eq('a', 'x\\y')],
    ['a == ""', sel.eq('a', '')],
    // Label keys: letters, digits, _ . / - in any position.
    ['projectcalico.org/name == "kube-system"', sel.eq('projectcalico.org/name', 'kube-system')],
    ['has(calico/k8s_NS-.1/role)', sel.has('calico/k8s_NS-.1/role')],
    ['-1 == "x"', sel.eq('-1', 'x')],
    // Keywords are only keywords where the tokenizer expects them.
    ['contains contains "contains"', sel.contains('contains', 'contains')],
    ['has == "x"', sel.eq('has', 'x')],
    ['all == "x" || in in {"in"}', sel.or(sel.eq('all', 'x'), sel.in('in', ['in']))],
    // Precedence: ! binds tightest, then &&, then ||.
    ['a == "1" || b == "2" && c == "3"', sel.or(a1, sel.and(b2, c3))],
    ['a == "1" && b == "2" || c == "3"', sel.or(sel.and(a1, b2), c3)],
    ['!a == "1" && b == "2"', sel.and(sel.not(a1), b2)],
    ['!a == "1" || b == "2"', sel.or(sel.not(a1), b2)],
    ['(a == "1" || b == "2") && c == "3"', sel.and(sel.or(a1, b2), c3)],
    ['!(a == "1" || b == "2")', sel.not(sel.or(a1, b2))],
    ['!(a == "1") && b == "2"', sel.and(sel.not(a1), b2)],
    // Every "!" is kept, so the tree mirrors the text.
    ['!!has(a)', sel.not(sel.not(sel.has('a')))],
    ['! !!has(a)', sel.not(sel.not(sel.not(sel.has('a'))))],
    // Nested && / || are flattened into one node each, with or without parentheses.
    ['a == "1" && b == "2" && c == "3"', sel.and(a1, b2, c3)],
    ['a == "1" && (b == "2" && c == "3")', sel.and(a1, b2, c3)],
    ['(a == "1" || b == "2") || c == "3"', sel.or(a1, b2, c3)],
    ['((a == "1"))', a1],
    [' (all() )', sel.all()],
  ])('can parse %s', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  // Calico skips spaces and tabs only, and needs none between tokens.
  it.each<[string, Selector]>([
    ['', sel.all()],
    ['   ', sel.all()],
    ['\t', sel.all()],
    ['a=="b"', sel.eq('a', 'b')],
    ['\ta\t==\t"b"\t', sel.eq('a', 'b')],
    ['a notin{"x"}', sel.notIn('a', ['x'])],
    ['a not \t in {"x"}', sel.notIn('a', ['x'])],
    ['a startswith "b"', sel.startsWith('a', 'b')],
    ['a starts  with "b"', sel.startsWith('a', 'b')],
    ['a endswith"b"', sel.endsWith('a', 'b')],
    ['a contains"b"', sel.contains('a', 'b')],
    ['a in{"x","y"}', sel.in('a', ['x', 'y'])],
    ['a in {"x",}', sel.in('a', ['x'])],
    ['has( a )', sel.has('a')],
    ['all( )', sel.all()],
    ['global(\t)', sel.global()],
    ['!has(a)&&has(b)||has(c)', sel.or(sel.and(sel.not(sel.has('a')), sel.has('b')), sel.has('c'))],
    ['a in {"x", "y" , "z"}', sel.in('a', ['x', 'y', 'z'])],
  ])('can parse the whitespace variant %j', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  it('can parse in-sets as sorted, de-duplicated sets, as Calico does', () => {
    expect(parsed('a in {"z", "x", "z", "a"}')).toEqual({ kind: 'in', key: 'a', values: ['a', 'x', 'z'] });
  });

  // Offsets are 0-based indexes of the first offending character; the end of the text is
  // text.length. Inputs marked "Calico" come from Calico's parser_test.go badSelectors.
  it.each<[string, number, string]>([
    ['b == b', 5, 'expected a quoted value after "=="'], // Calico
    ['b contains b', 11, 'expected a quoted value after "contains"'], // Calico
    ['b starts with b', 14, 'expected a quoted value'], // Calico
    ['b ends with b', 12, 'expected a quoted value'], // Calico
    ["'b1' == b", 0, 'expected an expression'], // Calico
    ['b', 1, 'expected an operator after label key "b"'], // Calico
    ['a b', 2, 'expected an operator after label key "a"'], // Calico
    ['!', 1, 'expected an expression, found the end'], // Calico
    ['foo == "bar" &', 13, 'expected "&&"'], // Calico
    ['foo == "bar" |', 13, 'expected "||"'], // Calico
    ['foo != ||', 7, 'expected a quoted value'], // Calico
    ['foo in {"", ||', 12, 'expected a quoted value or "}"'], // Calico
    ['foo in ""', 7, 'expected "{" after "in"'], // Calico
    ['"FOO', 0, 'unterminated string'], // Calico
    [`"FOO'`, 0, 'unterminated string'], // Calico
    ["'FOO", 0, 'unterminated string'], // Calico
    ['(', 1, 'expected an expression, found the end'], // Calico
    ['(a == "foo"', 11, 'expected ")" to close the "(" at offset 0'], // Calico
    [')', 0, 'expected an expression, found ")"'], // Calico
    ['()', 1, 'expected an expression, found ")"'], // Calico
    ['%', 0, 'unexpected character "%"'], // Calico
    ['a == "b" && %', 12, 'unexpected character "%"'], // Calico
    ['a == "b" || %', 12, 'unexpected character "%"'], // Calico
    ['a ', 2, 'expected an operator after label key "a"'], // Calico
    ['has(foo) &&', 11, 'expected an expression, found the end'], // Calico
    ['a = "b"', 2, 'expected "==" but found a single "="'],
    ['a !== "b"', 4, 'expected "==" but found a single "="'],
    ['!= "b"', 0, 'expected an expression, found "!="'],
    ['a == "b" b == "c"', 9, 'unexpected label key "b" after a complete expression'],
    ['a == "b")', 8, 'unexpected ")" after a complete expression'],
    ['a == "b" && ', 12, 'expected an expression, found the end'],
    ['a == "b" || || b == "c"', 12, 'expected an expression, found "||"'],
    ['a == "b" &&& b == "c"', 11, 'expected "&&" but found a single "&"'],
    ['has (a)', 4, 'expected an operator after label key "has"'],
    ['all ()', 4, 'expected an operator after label key "all"'],
    ['has()', 4, 'expected a label key inside has()'],
    ['has(a b)', 6, 'expected ")" to close has('],
    ['has(a', 5, 'expected ")" to close has('],
    ['has("a")', 4, 'expected a label key inside has()'],
    ['all(x)', 4, 'expected ")" to close all('],
    ['global(', 7, 'expected ")" to close global('],
    ['a starts "x"', 9, 'expected "with" after "starts"'],
    ['a ends', 6, 'expected "with" after "ends"'],
    ['a not "x"', 6, 'expected "in" after "not"'],
    ['a contain "x"', 2, 'expected an operator after label key "a"'],
    ['a.b:c == "x"', 3, 'expected an operator after label key "a.b"'],
    ['a in {,}', 6, 'expected a quoted value or "}"'],
    ['a in {"x" "y"}', 10, 'expected "," or "}"'],
    ['a in {"x",,}', 10, 'expected a quoted value or "}"'],
    ['a in {"x"', 9, 'expected "," or "}", found the end'],
    ['a in ("x")', 5, 'expected "{" after "in"'],
    ['a not in "x"', 9, 'expected "{" after "not in"'],
    ['a == "x" && b == "y', 17, 'unterminated string'],
    ["'b1' == %", 0, 'expected an expression'],
    ['a == "x"\n', 8, 'unexpected character "\\n"'],
    ['a\n== "x"', 1, 'unexpected character "\\n"'],
    ['a == "x" \r\n&& b == "y"', 9, 'unexpected character "\\r"'],
    ['a == "x" ; b == "y"', 9, 'unexpected character ";"'],
    ['😀 == "x"', 0, 'unexpected character "😀"'],
    [`${'k'.repeat(513)} == "x"`, 0, 'label key is longer than 512 characters'],
    [`has(${'k'.repeat(513)})`, 4, 'label key is longer than 512 characters'],
  ])('fails to parse %j at offset %i', (text, offset, message) => {
    const result = parseSelector(text);
    expect(result).toMatchObject({ ok: false, error: { offset } });
    if (!result.ok) expect(result.error.message).toContain(message);
  });

  it.each<[string, string]>([
    ['a == "x"\n', 'write the selector on one line'],
    ['"FOO', 'no escape sequences'],
    ['a b', 'use one of ==, !=, in, not in, contains, starts with, ends with'],
    ['b == b', 'quote it: "b"'],
    ["'b1' == b", 'the label key comes first'],
    ['a == "b" b == "c"', 'join expressions with && or ||'],
  ])('fails %j with a hint', (text, hint) => {
    const result = parseSelector(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.hint).toContain(hint);
  });

  it('can accept a 512-character label key', () => {
    const key = 'k'.repeat(512);
    expect(parsed(`${key} == "x"`)).toEqual(sel.eq(key, 'x'));
  });
});

describe('printSelector', () => {
  it.each<[string, Selector]>([
    ['all()', sel.all()],
    ['global()', sel.global()],
    ['has(a)', sel.has('a')],
    ['!has(a)', sel.not(sel.has('a'))],
    ['a == "b"', sel.eq('a', 'b')],
    ['a != "b"', sel.neq('a', 'b')],
    ['a contains "b"', sel.contains('a', 'b')],
    ['a starts with "b"', sel.startsWith('a', 'b')],
    ['a ends with "b"', sel.endsWith('a', 'b')],
    ['a in {"x", "y"}', sel.in('a', ['y', 'x'])],
    ['a not in {"x"}', sel.notIn('a', ['x'])],
    ['a in {}', sel.in('a', [])],
    [`a == "it's"`, sel.eq('a', `it's`)],
    [`a == 'say "hi"'`, sel.eq('a', 'say "hi"')],
    [`a in {'"', "'"}`, sel.in('a', ['"', "'"])],
    ['a == "1" || b == "2" && c == "3"', sel.or(a1, sel.and(b2, c3))],
    ['(a == "1" || b == "2") && c == "3"', sel.and(sel.or(a1, b2), c3)],
    ['!(a == "1" && b == "2")', sel.not(sel.and(a1, b2))],
    ['!(a == "1" || b == "2")', sel.not(sel.or(a1, b2))],
    ['!!a == "1"', sel.not(sel.not(a1))],
    ['!a == "1" && !(b == "2" || c == "3")', sel.and(sel.not(a1), sel.not(sel.or(b2, c3)))],
    ['a == "1" && b == "2" || b == "2" && c == "3"', sel.or(sel.and(a1, b2), sel.and(b2, c3))],
  ])('can print %s', (text, selector) => {
    expect(printSelector(selector)).toBe(text);
  });

  // Calico's own canonicalisation cases (parser_test.go), printed our way: minimal
  // parentheses instead of Calico's fully bracketed String().
  it.each<[string, string]>([
    ['', 'all()'],
    [' all() ', 'all()'],
    ['! (has( b)||! has(a ))', '!(has(b) || !has(a))'],
    ['! (a == "b"&&! c != "d")', '!(a == "b" && !c != "d")'],
    [`a startswith '"'`, `a starts with '"'`],
    [`a endswith "'"`, `a ends with "'"`],
    [`a!='"'`, `a != '"'`],
    ['a in {"z", "z", "x", "y", "x", "a"}', 'a in {"a", "x", "y", "z"}'],
    ["k == 'v' && (x == 'y' && z == 'w')", 'k == "v" && x == "y" && z == "w"'],
    ['(a == "1" && b == "2") || c == "3"', 'a == "1" && b == "2" || c == "3"'],
  ])('can canonicalise %j as %s', (text, canonical) => {
    const printed = printSelector(parsed(text));
    expect(printed).toBe(canonical);
    expect(parsed(printed)).toEqual(parsed(text));
  });

  it('can order in-set values by code point, as Go sorts them', () => {
    // UTF-16 order would put U+FFFD after U+1F600's surrogate pair; code point order does not.
    expect(printSelector(sel.in('a', ['😀', '\uFFFD', 'b']))).toBe('a in {"b", "\uFFFD", "😀"}');
  });

  it.each<[string, Selector]>([
    ['a value holding both quotes', { kind: 'eq', key: 'a', value: `'"` }],
    ['an invalid key', { kind: 'has', key: 'a b' }],
    ['an "and" with one operand', { kind: 'and', operands: [sel.all()] }],
    ['an "or" with no operands', { kind: 'or', operands: [] }],
  ])('fails to print %s', (_what, selector) => {
    expect(() => printSelector(selector)).toThrow(/Calico selector/);
  });
});

describe('sel', () => {
  it.each<[string, () => Selector]>([
    ['a key with a space', () => sel.has('a b')],
    ['an empty key', () => sel.eq('', 'x')],
    ['a key with ":"', () => sel.neq('a:b', 'x')],
    ['a 513-character key', () => sel.has('k'.repeat(513))],
    ['a value with both quotes', () => sel.eq('a', `it's "x"`)],
    ['a value with a newline', () => sel.contains('a', 'x\ny')],
    ['a value with a tab', () => sel.startsWith('a', 'x\ty')],
    ['a value with U+2028', () => sel.endsWith('a', 'x\u2028y')],
    ['an in-set value with a control character', () => sel.in('a', ['ok', 'x\u0000'])],
    ['an invalid not-in key', () => sel.notIn('a=b', ['x'])],
  ])('fails on %s', (_what, build) => {
    expect(build).toThrow(/calico-shield|Calico selector/);
  });

  it('fails to build an empty "or", which would match nothing', () => {
    expect(() => sel.or()).toThrow(/at least one operand/);
  });

  it.each<[string, Selector, Selector]>([
    ['and() as all()', sel.and(), sel.all()],
    ['and(x) as x', sel.and(a1), a1],
    ['or(x) as x', sel.or(a1), a1],
    ['nested ands flat', sel.and(sel.and(a1, b2), c3), { kind: 'and', operands: [a1, b2, c3] }],
    ['nested ors flat', sel.or(a1, sel.or(b2, c3)), { kind: 'or', operands: [a1, b2, c3] }],
    [
      'an or inside an and as is',
      sel.and(sel.or(a1, b2), c3),
      { kind: 'and', operands: [{ kind: 'or', operands: [a1, b2] }, c3] },
    ],
    ['in-set values sorted and unique', sel.in('a', ['b', 'a', 'b']), { kind: 'in', key: 'a', values: ['a', 'b'] }],
  ])('can build %s', (_what, built, expected) => {
    expect(built).toEqual(expected);
  });

  it('can build an in-set without keeping a reference to the caller\'s array', () => {
    const values = ['x'];
    const built = sel.in('a', values);
    values.push('y');
    expect(built).toEqual({ kind: 'in', key: 'a', values: ['x'] });
  });
});

describe('isValidSelectorKey', () => {
  it.each<[string, boolean]>([
    ['app', true],
    ['projectcalico.org/name', true],
    ['k8s-app', true],
    ['a_b.c/d-e', true],
    ['0', true],
    ['k'.repeat(512), true],
    ['', false],
    ['k'.repeat(513), false],
    ['a b', false],
    ['a:b', false],
    ['a=b', false],
    ['ü', false],
    ['a\n', false],
  ])('can tell whether %j is a valid key (%s)', (key, valid) => {
    expect(isValidSelectorKey(key)).toBe(valid);
  });
});

describe('selectorEquals', () => {
  it.each<[string, Selector, Selector, boolean]>([
    ['the same tree', sel.and(a1, b2), sel.and(a1, b2), true],
    ['a parsed and a built tree', parsed('b == "2" && a == "1"'), sel.and(b2, a1), true],
    ['in-sets in another order', { kind: 'in', key: 'a', values: ['y', 'x'] }, sel.in('a', ['x', 'y']), true],
    [
      'an unflattened and a flat "and"',
      { kind: 'and', operands: [a1, { kind: 'and', operands: [b2, c3] }] },
      sel.and(a1, b2, c3),
      true,
    ],
    ['operands in another order', sel.and(a1, b2), sel.and(b2, a1), false],
    ['== and !=', sel.eq('a', '1'), sel.neq('a', '1'), false],
    ['in and not in', sel.in('a', ['1']), sel.notIn('a', ['1']), false],
    ['all() and global()', sel.all(), sel.global(), false],
    ['has and !has', sel.has('a'), sel.not(sel.has('a')), false],
    ['values that differ in quoting', sel.eq('a', '"'), sel.eq('a', "'"), false],
  ])('can compare %s', (_what, a, b, equal) => {
    expect(selectorEquals(a, b)).toBe(equal);
  });
});

describe('matchesSelector', () => {
  const none: Labels = {};
  // Truth tables after Calico's ast.go Evaluate and parser_test.go selectorTests: `!=` and
  // `not in` match an absent label, every other match operator needs it present.
  it.each<[string, Labels, boolean]>([
    ['all()', none, true],
    ['all()', { a: 'b' }, true],
    ['!all()', none, false],
    ['has(a)', { a: '' }, true],
    ['has(a)', { b: 'a' }, false],
    ['!has(a)', { b: 'a' }, true],
    ['!has(a)', { a: 'b' }, false],
    ['a == "b"', { a: 'b' }, true],
    ['a == "b"', { a: 'c' }, false],
    ['a == "b"', none, false],
    ['a == ""', { a: '' }, true],
    ['a == ""', none, false],
    ['a != "b"', { a: 'c' }, true],
    ['a != "b"', { a: 'b' }, false],
    ['a != "b"', none, true],
    ['a != ""', none, true],
    ['a in {"a", "b"}', { a: 'b' }, true],
    ['a in {"a", "b"}', { a: 'c' }, false],
    ['a in {"a", "b"}', none, false],
    ['a in {}', { a: '' }, false],
    ['a not in {"a", "b"}', { a: 'c' }, true],
    ['a not in {"a", "b"}', { a: 'a' }, false],
    ['a not in {"a", "b"}', none, true],
    ['a not in {}', { a: 'x' }, true],
    ['a contains "a"', { a: 'bab' }, true],
    ['a contains "a"', { a: 'b' }, false],
    ['a contains "a"', { b: 'aaa' }, false],
    ['a contains ""', none, false],
    ['a starts with "a"', { a: 'abb' }, true],
    ['a starts with "a"', { a: 'baa' }, false],
    ['a starts with "a"', none, false],
    ['a ends with "a"', { a: 'bba' }, true],
    ['a ends with "a"', { a: 'aab' }, false],
    ['a ends with "a"', none, false],
    ['!a == "b"', none, true],
    ['!a != "b"', none, false],
    ['a == "1" && b == "2"', { a: '1', b: '2' }, true],
    ['a == "1" && b == "2"', { a: '1' }, false],
    ['a == "1" || b == "2"', { b: '2' }, true],
    ['a == "1" || b == "2"', { a: '2', b: '1' }, false],
    ['a == "1" || b == "2" && c == "3"', { a: '1' }, true],
    ['a == "1" || b == "2" && c == "3"', { b: '2' }, false],
    ['(a == "1" || b == "2") && c == "3"', { a: '1' }, false],
    ['!(!has(a) || has(b))', { a: 'a' }, true],
    ['!(has(b) || !has(a))', { a: 'a', b: 'b' }, false],
    // A label named like an Object.prototype member is still looked up on the labels only.
    ['has(constructor)', none, false],
    ['constructor != "x"', none, true],
  ])('can evaluate %s on %j as %s', (text, labels, expected) => {
    expect(matchesSelector(parsed(text), labels)).toBe(expected);
  });

  // global() matches non-namespaced resources only (docs: "Match all non-namespaced resources").
  it.each<[string, { readonly global?: boolean } | undefined, boolean]>([
    ['global()', { global: true }, true],
    ['global()', { global: false }, false],
    ['global()', {}, false],
    ['global()', undefined, false],
    ['!global()', undefined, true],
    ['global() || has(a)', { global: false }, false],
    ['global() && all()', { global: true }, true],
  ])('can evaluate %s in context %j as %s', (text, context, expected) => {
    expect(matchesSelector(parsed(text), {}, context)).toBe(expected);
  });
});

describe('properties', () => {
  // Keys include words that are keywords elsewhere in the grammar.
  const key = fc.constantFrom('a', 'app', 'projectcalico.org/name', 'k8s-app', 'has', 'in', 'contains', 'a_b.c/d-e');
  const writable = (v: string): boolean => !(v.includes('"') && v.includes("'")) && !/[\p{Cc}\u2028\u2029]/u.test(v);
  const value = fc.oneof(
    fc.constantFrom('', 'x', "it's", 'say "hi"', 'a b', '&&', '(', '}', 'not in', '😀'),
    fc.string({ maxLength: 6 }).filter(writable),
  );
  const valueOperator = fc.constantFrom('eq', 'neq', 'contains', 'startsWith', 'endsWith' as const);
  const { selector } = fc.letrec<{ selector: Selector; leaf: Selector }>((tie) => ({
    leaf: fc.oneof(
      fc.constant(sel.all()),
      fc.constant(sel.global()),
      key.map((k) => sel.has(k)),
      fc.tuple(valueOperator, key, value).map(([op, k, v]) => sel[op](k, v)),
      fc.tuple(fc.constantFrom('in', 'notIn' as const), key, fc.array(value, { maxLength: 4 })).map(([op, k, vs]) =>
        sel[op](k, vs),
      ),
    ),
    selector: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      tie('selector').map((s) => sel.not(s)),
      fc.array(tie('selector'), { minLength: 1, maxLength: 4 }).map((s) => sel.and(...s)),
      fc.array(tie('selector'), { minLength: 1, maxLength: 4 }).map((s) => sel.or(...s)),
    ),
  }));

  it('can round-trip random selectors built with sel through print and parse', () => {
    fc.assert(
      fc.property(selector, (s) => {
        expect(parsed(printSelector(s))).toEqual(s);
      }),
      { numRuns: 500 },
    );
  });

  it('fails only with an offset inside the text, never by throwing, on arbitrary input', () => {
    // Fragments of the grammar, so that random text often gets deep into the parser.
    const fragment = fc.constantFrom(
      ...['a', ' ', '\t', '\n', '"', "'", '(', ')', '{', '}', ',', '=', '!', '&', '|', '%'],
      ...['in', 'not', 'has(', 'all(', 'starts', 'with'],
    );
    const text = fc.string({ unit: fragment, maxLength: 12 });
    fc.assert(
      fc.property(text, (t) => {
        const result = parseSelector(t);
        if (result.ok) {
          expect(parsed(printSelector(result.selector))).toEqual(result.selector);
        } else {
          expect(result.error.offset).toBeGreaterThanOrEqual(0);
          expect(result.error.offset).toBeLessThanOrEqual(t.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
