/**
 * The report's only script: the item drill-down and the view state in the URL. Every view
 * (item, respondent, variant, answer, language) is a hash, `#item-<id>?respondent=..&variant=..&lang=en`,
 * so a link opens it and Back returns to the previous one. Item data sits in the page as one gzipped,
 * base64 block per item and is decoded only when the item is opened, so a report of
 * thousands of answers opens fast. Answer text is untrusted: it is only ever inserted with
 * textContent / text nodes, never as markup. The page's CSP allows this script by its hash.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var blocks = new Map();
  document.querySelectorAll('script[data-item]').forEach(function (s) { blocks.set(s.getAttribute('data-item'), s); });
  var fullTexts = new Map();
  document.querySelectorAll('script[data-answer-text]').forEach(function (s) { fullTexts.set(s.getAttribute('data-answer-text'), s); });
  var panel = document.getElementById('drilldown-panel');
  var filter = document.getElementById('item-filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#item-index tbody tr'));
  var languageSelect = document.getElementById('report-language');
  var defaultLanguage = document.documentElement.getAttribute('data-default-language') || 'zh';
  var byAnchor = new Map(rows.map(function (r) { return [r.id, r.getAttribute('data-item')]; }));
  var anchorOf = new Map(rows.map(function (r) { return [r.getAttribute('data-item'), r.id]; }));
  var current = { id: null, item: null };

  // The view in the URL: '#anchor?key=value&...'.
  function readHash() {
    var hash = decodeURIComponent(location.hash.slice(1));
    var q = hash.indexOf('?');
    return { anchor: q < 0 ? hash : hash.slice(0, q), params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
  }
  function writeHash(anchor, params) {
    var clean = new URLSearchParams();
    params.forEach(function (v, k) { if (v !== '' && v !== null && v !== undefined) clean.set(k, v); });
    if (clean.get('lang') === defaultLanguage) clean.delete('lang');
    var query = clean.toString();
    var next = '#' + anchor + (query ? '?' + query : '');
    if (next !== location.hash) location.hash = next;
  }
  function language() { return readHash().params.get('lang') || defaultLanguage; }

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function decode(block) {
    var bin = atob(block.textContent.trim());
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(JSON.parse);
  }

  function promptText(p) {
    if (typeof p === 'string') return p;
    return p.map(function (m) { return m.role + ': ' + m.content; }).join('\n\n');
  }

  // Character ranges of the quoted words (their offsets when cited, else the quoted sentences
  // found by search), merged, each tagged good (point met) or bad.
  function highlights(text, verdicts) {
    var ranges = [];
    verdicts.forEach(function (v) {
      if (v.met !== true) return;
      var cls = v.kind === 'point' ? 'hit-point' : 'hit-bad';
      if (v.citations && v.citations.length) {
        v.citations.forEach(function (c) {
          if (c.end <= text.length && text.slice(c.start, c.end) === c.quote) ranges.push({ start: c.start, end: c.end, cls: cls, entry: v.entry });
        });
        return;
      }
      v.quotes.forEach(function (q) {
        if (!q) return;
        // A case-insensitive search in place: no lower-cased copy of a long answer.
        var re = new RegExp(q.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&'), 'gi');
        var m;
        while ((m = re.exec(text)) !== null) ranges.push({ start: m.index, end: m.index + m[0].length, cls: cls, entry: v.entry });
      });
    });
    ranges.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r.start < last.end) {
        if (r.end > last.end) last.end = r.end;
        if (last.entries.indexOf(r.entry) === -1) last.entries.push(r.entry);
        if (r.cls === 'hit-bad') last.cls = 'hit-bad';
      } else {
        merged.push({ start: r.start, end: r.end, cls: r.cls, entries: [r.entry] });
      }
    });
    return merged;
  }

  // Long answers show their first part, cut at a word or sentence end, and grow on demand:
  // laying out megabytes of text at once would freeze the page.
  var ANSWER_SHOWN = 4000;
  var ANSWER_STEP = 100000;

  function cutAt(text, end) {
    if (end >= text.length) return text.length;
    var window = text.slice(Math.max(0, end - 200), end);
    var m = /[\s。！？；.!?;][^\s。！？；.!?;]*$/.exec(window);
    return m ? end - window.length + m.index + 1 : end;
  }

  function appendRange(pre, text, marks, from, to) {
    var pos = from;
    marks.forEach(function (r) {
      if (r.end <= from || r.start >= to) return;
      var start = Math.max(r.start, from);
      var end = Math.min(r.end, to);
      if (start > pos) pre.appendChild(document.createTextNode(text.slice(pos, start)));
      var mark = h('mark', r.cls, text.slice(start, end));
      mark.title = r.entries.join(', ');
      pre.appendChild(mark);
      pos = end;
    });
    if (pos < to) pre.appendChild(document.createTextNode(text.slice(pos, to)));
  }

  // A long answer arrives cut (its whole text in a block of its own, decoded on demand).
  function answerText(answer) {
    var text = answer.text;
    var verdicts = answer.verdicts;
    var box = h('div', 'answer-box');
    var pre = h('pre', 'answer');
    box.appendChild(pre);
    if (text === null || text === undefined) { pre.appendChild(h('em', null, '(no answer)')); return box; }
    var total = answer.text_length || text.length;
    var marks = highlights(text, verdicts);
    var shown = cutAt(text, ANSWER_SHOWN);
    appendRange(pre, text, marks, 0, shown);
    if (shown >= total) return box;
    var more = h('p', 'answer-more');
    var status = h('span', 'note');
    var next = h('button', 'show-more');
    var all = h('button', 'show-all', 'Show all');
    next.type = all.type = 'button';
    function whole() {
      if (text.length >= total) return Promise.resolve();
      return decode(fullTexts.get(answer.full_text)).then(function (full) {
        text = full;
        marks = highlights(text, verdicts);
      });
    }
    function grow(everything) {
      return whole().then(function () {
        var to = everything ? text.length : cutAt(text, shown + ANSWER_STEP);
        appendRange(pre, text, marks, shown, to);
        shown = to;
        if (shown >= total) more.remove();
        else update();
      });
    }
    function update() {
      status.textContent = 'Showing ' + shown.toLocaleString('en') + ' of ' + total.toLocaleString('en') + ' characters ';
      next.textContent = 'Show ' + Math.min(ANSWER_STEP, total - shown).toLocaleString('en') + ' more';
    }
    next.addEventListener('click', function () { grow(false); });
    all.addEventListener('click', function () { grow(true); });
    more.appendChild(status);
    more.appendChild(next);
    more.appendChild(all);
    box.appendChild(more);
    update();
    return box;
  }

  function verdictList(answer, entries) {
    var byId = new Map(entries.map(function (e) { return [e.id, e]; }));
    var ul = h('ul', 'verdicts');
    answer.verdicts.forEach(function (v) {
      var entry = byId.get(v.entry);
      var state = v.met === true ? 'met' : v.met === false ? 'not-met' : 'undecided';
      var symbol = v.met === true ? (v.kind === 'point' ? '✓' : '✗') : v.met === false ? '·' : '?';
      var li = h('li', 'verdict ' + v.kind + ' ' + state);
      li.appendChild(h('span', 'symbol', symbol));
      li.appendChild(h('span', 'kind', v.kind));
      li.appendChild(h('code', null, v.entry));
      li.appendChild(h('span', 'entry-text', entry ? (language() === 'en' && entry.text_en ? entry.text_en : entry.text) : ''));
      var meta = (v.met === null ? 'undecided' : v.met ? 'met' : 'not met') + ' · ' + v.decided_by + (v.points ? ' · ' + (v.points > 0 ? '+' : '') + v.points : '');
      if (v.provenance) meta += ' by ' + v.provenance.graders.join(', ') + (v.provenance.at ? ' · ' + v.provenance.at : '') + (v.provenance.origin.length ? ' · from ' + v.provenance.origin.join(', ') : '');
      if (v.agreement === false) meta += ' · matcher and judge disagree';
      li.appendChild(h('span', 'meta', meta));
      if (v.citations && v.citations.length) {
        // The whole sentence, the quoted words highlighted: a negation cut off stays visible.
        v.citations.forEach(function (c) {
          var from = Math.max(0, c.start - c.sentence_start);
          var to = Math.min(c.sentence.length, c.end - c.sentence_start);
          var q = h('q', null, c.sentence.slice(0, from));
          q.appendChild(h('mark', v.met && v.kind !== 'point' ? 'hit-bad' : 'hit-point', c.sentence.slice(from, to)));
          q.appendChild(document.createTextNode(c.sentence.slice(to)));
          li.appendChild(q);
        });
      } else {
        v.quotes.forEach(function (q) { li.appendChild(h('q', null, q)); });
      }
      if (v.rationale) li.appendChild(h('span', 'rationale', v.rationale));
      (v.flags || []).forEach(function (f) { li.appendChild(h('span', 'rationale', f)); });
      ul.appendChild(li);
    });
    return ul;
  }

  function renderItem(item, params) {
    var en = language() === 'en';
    function pick(zh, english) { return en && english ? english : zh; }
    panel.textContent = '';
    panel.setAttribute('lang', en ? 'en' : (item.language === 'en' ? 'en' : 'zh-Hans'));
    var head = h('header', 'item-head');
    head.appendChild(h('h3', null, item.id));
    head.appendChild(h('p', 'meta', item.topic + ' · depth ' + item.depth + (item.category ? ' · ' + item.category : '') + ' · ' + item.answers.length + ' answers'));
    panel.appendChild(head);
    panel.appendChild(h('h4', null, 'Question'));
    panel.appendChild(h('pre', 'prompt', promptText(pick(item.prompt, item.prompt_en))));
    if (en && !item.prompt_en) panel.appendChild(h('p', 'note', 'The bank has no English version of this question.'));
    item.variants.forEach(function (v) {
      panel.appendChild(h('h4', null, 'Variant ' + v.id + ' (' + v.kind + ')'));
      if (v.prompt) panel.appendChild(h('pre', 'prompt', promptText(v.prompt)));
      if (v.turns) v.turns.forEach(function (t, i) { panel.appendChild(h('pre', 'prompt', 'Turn ' + (i + 1) + ': ' + t)); });
    });
    if (item.reference) { panel.appendChild(h('h4', null, 'Reference answer')); panel.appendChild(h('pre', 'prompt', pick(item.reference, item.reference_en))); }
    panel.appendChild(h('h4', null, 'Rubric'));
    var rubric = h('ul', 'rubric');
    item.entries.forEach(function (e) {
      var li = h('li', 'entry ' + e.kind);
      li.appendChild(h('span', 'kind', e.kind));
      li.appendChild(h('code', null, e.id));
      li.appendChild(h('span', null, pick(e.text, e.text_en) + (e.score !== null && e.score !== undefined ? ' (' + (e.score > 0 ? '+' : '') + e.score + ')' : '') + (e.critical ? ' · critical' : '') + (e.safety ? ' · safety' : '') + (e.evidence ? ' · ' + e.evidence.scheme + ' ' + e.evidence.level : '') + (e.variant ? ' · variant ' + e.variant : '')));
      rubric.appendChild(li);
    });
    panel.appendChild(rubric);

    var respondents = Array.from(new Set(item.answers.map(function (a) { return a.respondent; })));
    var variants = Array.from(new Set(item.answers.map(function (a) { return a.variant; })));
    function select(cls, label, all, values, chosen) {
      var choose = h('select', cls);
      choose.setAttribute('aria-label', label);
      choose.appendChild(new Option(all, ''));
      values.forEach(function (v) { choose.appendChild(new Option(v, v)); });
      choose.value = values.indexOf(chosen) === -1 ? '' : chosen;
      return choose;
    }
    var chooseRespondent = select('respondent-filter', 'Show answers of', 'all respondents', respondents, params.get('respondent') || '');
    var chooseVariant = select('variant-filter', 'Show answers to', 'all variants', variants, params.get('variant') || '');
    var label = h('label', 'filter', 'Answers of ');
    label.appendChild(chooseRespondent);
    var labelVariant = h('label', 'filter', ' to ');
    labelVariant.appendChild(chooseVariant);
    panel.appendChild(h('h4', null, 'Answers'));
    panel.appendChild(label);
    panel.appendChild(labelVariant);
    var list = h('div', 'answers');
    panel.appendChild(list);
    item.answers.filter(function (a) {
      return (!chooseRespondent.value || a.respondent === chooseRespondent.value) && (!chooseVariant.value || a.variant === chooseVariant.value);
    }).forEach(function (a) {
      var card = h('article', 'answer-card ' + a.status + (a.vetoed_by.length ? ' vetoed' : ''));
      card.setAttribute('data-respondent', a.respondent);
      card.setAttribute('data-variant', a.variant);
      card.setAttribute('data-turn', String(a.turn));
      card.setAttribute('data-sample', String(a.sample));
      var title = a.respondent + (a.respondent_kind === 'human' ? ' (doctor)' : '') + ' · ' + a.variant + (a.turn ? ' · turn ' + a.turn : '') + (a.sample ? ' · sample ' + a.sample : '');
      var top = h('header');
      top.appendChild(h('strong', null, title));
      top.appendChild(h('span', 'score', a.score === null ? a.status : 'score ' + a.score.toFixed(1)));
      if (a.vetoed_by.length) top.appendChild(h('span', 'badge', 'VETO: ' + a.vetoed_by.join(', ')));
      if (a.zeroed_by.length) top.appendChild(h('span', 'badge zero', 'zero: ' + a.zeroed_by.join(', ')));
      card.appendChild(top);
      if (a.error) card.appendChild(h('p', 'note', 'Error: ' + a.error));
      card.appendChild(answerText(a));
      card.appendChild(verdictList(a, item.entries));
      list.appendChild(card);
    });
    function refilter() {
      var next = new URLSearchParams(readHash().params);
      next.set('respondent', chooseRespondent.value);
      next.set('variant', chooseVariant.value);
      ['turn', 'sample', 'entry'].forEach(function (k) { next.delete(k); });
      writeHash(anchorOf.get(item.id), next);
    }
    chooseRespondent.addEventListener('change', refilter);
    chooseVariant.addEventListener('change', refilter);
  }

  // The answer a link points at (respondent, variant, turn, sample), and its quote for an entry, highlighted.
  function focusAnswer(params) {
    if (!params.get('respondent')) return panel;
    var cards = Array.prototype.slice.call(panel.querySelectorAll('article.answer-card'));
    var card = cards.find(function (c) {
      return c.getAttribute('data-respondent') === params.get('respondent') &&
        (!params.get('variant') || c.getAttribute('data-variant') === params.get('variant')) &&
        (!params.get('turn') || c.getAttribute('data-turn') === params.get('turn')) &&
        (!params.get('sample') || c.getAttribute('data-sample') === params.get('sample'));
    });
    if (!card) return panel;
    card.classList.add('focus');
    var entry = params.get('entry');
    var mark = entry ? Array.prototype.slice.call(card.querySelectorAll('mark')).find(function (m) { return m.title.split(', ').indexOf(entry) !== -1; }) : null;
    if (mark) { mark.classList.add('focus'); return mark; }
    return card;
  }

  function show(id, params) {
    var block = blocks.get(id);
    if (!block) return;
    rows.forEach(function (r) { r.classList.toggle('selected', r.getAttribute('data-item') === id); });
    panel.hidden = false;
    var ready = current.id === id && current.item ? Promise.resolve(current.item) : (panel.textContent = 'Loading ' + id + '…', decode(block));
    ready.then(function (item) {
      current = { id: id, item: item };
      renderItem(item, params);
      panel.setAttribute('data-open-item', id);
      focusAnswer(params).scrollIntoView({ block: params.get('entry') ? 'center' : 'start' });
    }, function (err) {
      panel.textContent = 'Could not open ' + id + ': ' + err;
    });
  }

  // Index filters from the URL: '#drilldown?depth=4&respondent=x' lists the depth-4 items and opens them on x's answers.
  function filterIndex(params) {
    var depth = params.get('depth');
    rows.forEach(function (r) { r.hidden = depth !== null && depth !== '' && r.getAttribute('data-depth') !== depth; });
    var status = document.getElementById('item-index-filter');
    if (status) status.textContent = depth ? 'Showing depth ' + depth + ' items' + (params.get('respondent') ? ', opened on the answers of ' + params.get('respondent') : '') + '.' : '';
  }

  function route() {
    var view = readHash();
    var lang = view.params.get('lang') || defaultLanguage;
    if (languageSelect) languageSelect.value = lang;
    document.documentElement.setAttribute('data-language', lang);
    var id = byAnchor.get(view.anchor);
    if (id) { show(id, view.params); return; }
    if (view.anchor === 'drilldown') filterIndex(view.params);
    var target = view.anchor ? document.getElementById(view.anchor) : null;
    if (target && view.params.toString()) target.scrollIntoView({ block: 'start' });
    if (current.item && view.params.has('lang')) renderItem(current.item, view.params);
  }

  // Links to items and answers carry the view in data attributes; following one is a new history entry.
  document.addEventListener('click', function (ev) {
    var target = ev.target instanceof Element ? ev.target.closest('[data-item], [data-view]') : null;
    if (!target || target.tagName === 'SCRIPT' || target.tagName === 'TR') return;
    ev.preventDefault();
    var params = new URLSearchParams();
    ['respondent', 'variant', 'turn', 'sample', 'entry', 'depth'].forEach(function (k) {
      var v = target.getAttribute('data-' + k);
      if (v !== null) params.set(k, v);
    });
    // An item opened from a filtered index keeps the respondent it was filtered for.
    var carried = readHash().params.get('respondent');
    if (!target.hasAttribute('data-respondent') && carried) params.set('respondent', carried);
    params.set('lang', language());
    var id = target.getAttribute('data-item');
    writeHash(id ? anchorOf.get(id) : target.getAttribute('data-view'), params);
  });

  if (languageSelect) {
    languageSelect.addEventListener('change', function () {
      var view = readHash();
      view.params.set('lang', languageSelect.value);
      writeHash(view.anchor || 'top', view.params);
    });
  }

  window.addEventListener('hashchange', route);
  route();

  if (filter) {
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      rows.forEach(function (r) { r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) === -1; });
    });
  }
})();
`;
