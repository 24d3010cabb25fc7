// The strata dashboard: a read-only page over the JSON API of `strata up` / `strata dashboard`.
// Hash routes (#/, #/cluster/<key>, #/change/<sha>, #/rollouts, #/rollout/<name>) keep every view
// linkable. API data only ever reaches the page through textContent and attributes: keys and
// reasons come from people's files.
'use strict';

(() => {
  const PAGE_SIZE = 50;
  const PHASES = ['Ready', 'Applying', 'Provisioning', 'Pending', 'Degraded', 'Failed', 'Deleting', 'Rejected'];
  const TONES = {
    Ready: 'ok', Complete: 'ok', Applied: 'ok',
    Applying: 'progress', Provisioning: 'progress', Running: 'progress', Active: 'progress',
    Pending: 'pending', Deleting: 'muted', Deleted: 'muted',
    Degraded: 'warn', Paused: 'warn',
    Failed: 'bad', Aborted: 'bad', Refused: 'bad', Unreadable: 'bad', NotStarted: 'pending',
    Rejected: 'rejected',
  };
  const number = new Intl.NumberFormat('en-US');

  // ---- DOM ---------------------------------------------------------------------------------

  // h('a', {class: 'x', href: '#/', testid: 'y', data: {key: k}}, 'text', node, [more]):
  // strings become text nodes, null and false are skipped.
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'testid') node.dataset.testid = value;
      else if (name === 'data') Object.assign(node.dataset, value);
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (value === true) node.setAttribute(name, '');
      else node.setAttribute(name, String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else node.append(child instanceof Node ? child : String(child));
    }
  }

  // replaceChildren, but skipping null like h() does (the DOM's would print "null").
  function fill(node, ...children) {
    node.replaceChildren();
    append(node, children);
    return node;
  }

  function tone(phase) { return TONES[phase] || 'muted'; }

  function badge(phase, testid = 'phase') {
    const text = phase || 'Unknown';
    return h('span', {class: `badge tone-${tone(phase)}`, testid, data: {phase: text}}, text);
  }

  function short(sha) { return sha ? String(sha).slice(0, 12) : ''; }

  // A fleet commit links to its change view; anything else (a satellite's own commit) is text.
  function commitRef(sha, fleet = true) {
    if (!sha) return h('span', {class: 'muted'}, '—');
    if (!fleet) return h('code', {class: 'sha', title: sha}, short(sha));
    return h('a', {class: 'sha', href: `#/change/${encodeURIComponent(sha)}`, title: sha, testid: 'commit-link'},
             short(sha));
  }

  function clusterHref(key) { return `#/cluster/${encodeURIComponent(key)}`; }

  // Tenant resources are Kind/org/name: those have a cluster view.
  function isLogicalKey(key) { return typeof key === 'string' && key.split('/').length === 3; }

  function keyRef(key) {
    return isLogicalKey(key) ? h('a', {class: 'key', href: clusterHref(key)}, key) : h('span', {class: 'key'}, key);
  }

  function count(value) { return Array.isArray(value) ? value.length : Number(value) || 0; }

  function fmt(n) { return number.format(Number(n) || 0); }

  // ---- time --------------------------------------------------------------------------------

  // The API gives seconds since the epoch (git) or RFC 3339 strings (agents).
  function toDate(value) {
    if (value === undefined || value === null || value === '' || value === 0) return null;
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
    return `${Math.round(hours / 24)} d`;
  }

  function relative(date) {
    const seconds = (Date.now() - date.getTime()) / 1000;
    if (Math.abs(seconds) < 5) return 'just now';
    return seconds > 0 ? `${duration(seconds)} ago` : `in ${duration(-seconds)}`;
  }

  function timeRef(value) {
    const date = toDate(value);
    if (!date) return h('span', {class: 'muted'}, '—');
    return h('time', {class: 'time', datetime: date.toISOString(), title: date.toISOString()}, relative(date));
  }

  // ---- the API -----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  const authBanner = document.getElementById('auth');
  const container = document.getElementById('view');
  const staleNotice = document.getElementById('stale');

  // Without its token the page has nothing to show but how to get in.
  function needsToken(needed) {
    authBanner.hidden = !needed;
    container.hidden = needed;
  }

  async function api(path) {
    let response;
    try {
      response = await fetch(path, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
    } catch (e) {
      throw new ApiError(0, 'the dashboard server does not answer');
    }
    if (response.status === 401) {
      needsToken(true);
      throw new ApiError(401, 'this dashboard needs its token');
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      throw new ApiError(response.status, (body && body.error) || `HTTP ${response.status} for ${path}`);
    }
    needsToken(false);
    return body;
  }

  function query(params) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') search.set(name, value);
    }
    return search.toString();
  }

  // ---- shared pieces -----------------------------------------------------------------------

  function panel(title, body, extra) {
    return h('section', {class: 'panel'}, h('header', {class: 'panel-head'}, h('h2', null, title), extra), body);
  }

  // A bar of segments [{label, value, tone}], widths proportional to value.
  function stackedBar(segments, testid = 'bar') {
    const total = segments.reduce((sum, s) => sum + s.value, 0);
    const bar = h('div', {class: 'bar', testid, title: segments.filter((s) => s.value).map((s) => `${s.label}: ${fmt(s.value)}`).join(', ')});
    for (const s of segments) {
      if (!s.value) continue;
      bar.append(h('span', {class: `seg tone-${s.tone}`, style: `flex-grow: ${s.value}`, data: {segment: s.label}}));
    }
    if (!total) bar.classList.add('empty');
    return bar;
  }

  function phaseSegments(phases) {
    const names = PHASES.concat(Object.keys(phases || {}).filter((p) => !PHASES.includes(p)));
    return names.map((p) => ({label: p, value: Number((phases || {})[p]) || 0, tone: tone(p)}));
  }

  function empty(text) { return h('div', {class: 'empty-note'}, text); }

  function errorText(error) {
    if (error && error.status === 404) return `Not found: ${error.message}`;
    return (error && error.message) || String(error);
  }

  // ---- fleet -------------------------------------------------------------------------------

  const FILTERS = ['org', 'sku', 'phase', 'cloud', 'region', 'satellite'];

  function fleetView() {
    const root = h('div', {class: 'fleet'});
    const error = h('div', {class: 'error-banner', testid: 'view-error', hidden: true});
    const subtitle = h('div', {class: 'subtitle', testid: 'fleet-subtitle'});
    const cards = h('div', {class: 'cards', testid: 'phase-cards'});
    const cloudBody = h('div');
    const regionBody = h('div');
    const satelliteBody = h('div');

    const search = h('input', {type: 'search', class: 'search', placeholder: 'Search by key…', testid: 'search',
                              'aria-label': 'search by key', autocomplete: 'off', spellcheck: 'false'});
    const selects = {};
    for (const name of ['org', 'sku', 'phase', 'cloud']) {
      selects[name] = h('select', {testid: `filter-${name}`, 'aria-label': name},
                        h('option', {value: ''}, `any ${name}`));
      selects[name].addEventListener('change', () => setFilters({[name]: selects[name].value}));
    }
    const scope = h('span', {class: 'scope', testid: 'filter-scope'});
    const clear = h('a', {href: '#/', class: 'clear', testid: 'filter-clear'}, 'clear filters');
    let searchTimer = null;
    search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => setFilters({q: search.value.trim()}, true), 250);
    });

    const rows = h('tbody', {testid: 'cluster-rows'});
    const table = h('table', {class: 'table clusters', testid: 'cluster-table'},
                    h('thead', null, h('tr', null, ['Key', 'Phase', 'SKU', 'Location', 'Satellite', 'Brokers',
                                                    'Version', 'Physical', 'Observed'].map((c) => h('th', null, c)))),
                    rows);
    const prev = h('button', {type: 'button', class: 'btn', testid: 'pager-prev'}, '‹ prev');
    const next = h('button', {type: 'button', class: 'btn', testid: 'pager-next'}, 'next ›');
    const pagerInfo = h('span', {class: 'pager-info', testid: 'pager-info'});
    prev.addEventListener('click', () => setFilters({page: String(page() - 1)}));
    next.addEventListener('click', () => setFilters({page: String(page() + 1)}));

    const problems = h('div', {testid: 'problems'});
    const problemsCount = h('span', {class: 'count'});
    const commits = h('div', {testid: 'commits'});
    const shaInput = h('input', {type: 'text', placeholder: 'paste a commit sha', testid: 'sha-input',
                                'aria-label': 'commit sha', spellcheck: 'false', autocomplete: 'off'});
    const shaForm = h('form', {class: 'sha-form', testid: 'sha-form'}, shaInput,
                      h('button', {type: 'submit', class: 'btn primary', testid: 'sha-go'}, 'Is it live?'));
    shaForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const sha = shaInput.value.trim();
      if (sha) navigate(`#/change/${encodeURIComponent(sha)}`);
    });

    root.append(
      h('div', {class: 'page-head'}, h('h1', null, 'Fleet'), subtitle),
      error, cards,
      h('div', {class: 'grid3'},
        panel('By cloud', cloudBody), panel('By region', regionBody), panel('By satellite', satelliteBody)),
      h('div', {class: 'split'},
        panel('Problems', h('div', {class: 'scroll'}, problems), problemsCount),
        panel('Recent commits', h('div', null, h('div', {class: 'lookup'}, h('span', {class: 'sub'}, 'Is my change live?'), shaForm),
                                  h('div', {class: 'scroll'}, commits)))),
      panel('Clusters', h('div', null,
        h('div', {class: 'filters'}, search, selects.org, selects.sku, selects.phase, selects.cloud, scope, clear),
        h('div', {class: 'table-wrap'}, table),
        h('div', {class: 'pager'}, pagerInfo, h('span', {class: 'pager-buttons'}, prev, next)))));

    let current = null;

    function page() { return Math.max(1, parseInt(current.query.get('page') || '1', 10) || 1); }

    function setFilters(changes, replace = false) {
      const params = new URLSearchParams(current.query);
      for (const [name, value] of Object.entries(changes)) {
        if (value) params.set(name, value); else params.delete(name);
      }
      if (!('page' in changes)) params.delete('page');
      if (params.get('page') === '1') params.delete('page');
      const text = params.toString();
      navigate(text ? `#/?${text}` : '#/', replace);
    }

    function syncControls(route) {
      if (document.activeElement !== search) search.value = route.query.get('q') || '';
      for (const [name, select] of Object.entries(selects)) select.value = route.query.get(name) || '';
      const scoped = ['region', 'satellite'].filter((n) => route.query.get(n)).map((n) => `${n} ${route.query.get(n)}`);
      scope.textContent = scoped.join(', ');
      clear.hidden = ![...FILTERS, 'q'].some((n) => route.query.get(n));
    }

    function fillSelect(select, values) {
      const want = [''].concat(values || []);
      const have = [...select.options].map((o) => o.value);
      if (want.length === have.length && want.every((v, i) => v === have[i])) return;
      const chosen = select.value;
      fill(select, select.options[0], ...want.slice(1).map((v) => h('option', {value: v}, v)));
      select.value = want.includes(chosen) ? chosen : '';
    }

    function renderCards(fleet) {
      const phases = fleet.phases || {};
      const names = PHASES.concat(Object.keys(phases).filter((p) => !PHASES.includes(p)));
      fill(cards,
        h('a', {class: 'card total', href: '#/', testid: 'card-total'},
          h('span', {class: 'card-count', testid: 'phase-count'}, fmt(fleet.clusters)),
          h('span', {class: 'card-label'}, 'clusters')),
        ...names.map((p) => {
          const n = Number(phases[p]) || 0;
          return h('a', {class: `card tone-${tone(p)}${n ? '' : ' zero'}`, href: `#/?${query({phase: p})}`,
                         testid: 'phase-card', data: {phase: p, count: String(n)}},
                   h('span', {class: 'card-count', testid: 'phase-count'}, fmt(n)),
                   h('span', {class: 'card-label'}, p));
        }));
    }

    function groupTable(groups, filter, withStatus) {
      if (!groups || !groups.length) return empty('nothing yet');
      const head = withStatus ? ['Satellite', 'Agent', 'Slice', 'Clusters', ''] : [filter === 'cloud' ? 'Cloud' : 'Region', 'Clusters', ''];
      return h('table', {class: 'table compact', testid: `by-${filter}`},
        h('thead', null, h('tr', null, head.map((c) => h('th', null, c)))),
        h('tbody', null, groups.map((g) => h('tr', {testid: `${filter}-row`, data: {name: g.name}},
          h('td', null, h('a', {href: `#/?${query({[filter]: g.name})}`}, g.name)),
          withStatus && h('td', null, g.status ? badge(g.status.phase, 'satellite-phase') : h('span', {class: 'muted'}, 'no report')),
          withStatus && h('td', {class: 'nowrap'}, g.status ? commitRef(g.status.sliceCommit, false) : null,
                          g.status && g.status.observedAt ? h('span', {class: 'sub'}, ' · ', timeRef(g.status.observedAt)) : null),
          h('td', {class: 'num'}, fmt(g.total)),
          h('td', {class: 'bar-cell'}, stackedBar(phaseSegments(g.phases)))))));
    }

    function renderProblems(fleet) {
      const items = fleet.problems || [];
      const rejected = fleet.rejected || [];
      const total = Number(fleet.problemsTotal) || items.length;
      problemsCount.textContent = total + rejected.length ? fmt(total + rejected.length) : '';
      if (!items.length && !rejected.length) {
        fill(problems, h('div', {class: 'all-good'}, '✓ nothing failed or stuck'));
        return;
      }
      fill(problems, h('ul', {class: 'list'},
        rejected.map((r) => h('li', {class: 'problem', testid: 'problem', data: {key: r.key}},
          h('div', {class: 'row-line'}, keyRef(r.key), badge('Rejected')),
          h('div', {class: 'sub'}, `by ${r.controller || 'a controller'} at `, commitRef(r.commit)),
          (r.errors || []).map((e) => h('div', {class: 'reason mono'},
            `${e.file || ''}${e.line ? `:${e.line}` : ''}${e.field ? ` ${e.field}` : ''}: ${e.message || ''}`)))),
        items.map((p) => h('li', {class: 'problem', testid: 'problem', data: {key: p.key}},
          h('div', {class: 'row-line'}, keyRef(p.key), badge(p.phase)),
          p.reason ? h('div', {class: 'reason'}, p.reason) : null,
          h('div', {class: 'sub'}, p.satellite ? `${p.satellite} · ` : '', timeRef(p.observedAt))))),
        total > items.length ? h('div', {class: 'sub more'}, `showing ${fmt(items.length)} of ${fmt(total)}`) : null);
    }

    function renderCommits(list) {
      const items = (list && list.items) || [];
      if (!items.length) { fill(commits, empty('no commits')); return; }
      fill(commits, h('ul', {class: 'list commits'}, items.map((c) => h('li', {testid: 'commit', data: {commit: c.commit}},
        h('div', {class: 'row-line'}, commitRef(c.commit),
          c.controller ? h('span', {class: 'tag bot', title: 'a controller commit'}, c.controller) : h('span', {class: 'tag person'}, c.author || 'someone'),
          h('span', {class: 'grow'}), timeRef(c.time)),
        h('div', {class: 'subject'}, c.subject || '')))));
    }

    function renderRows(clusters) {
      const items = clusters.items || [];
      const total = Number(clusters.total) || 0;
      const offset = Number(clusters.offset) || 0;
      if (!items.length) {
        fill(rows, h('tr', null, h('td', {colspan: 9, class: 'empty-note'},
          total ? 'no clusters on this page' : 'no cluster matches')));
      } else {
        fill(rows, ...items.map((c) => h('tr', {testid: 'cluster-row', data: {key: c.key}},
          h('td', null, h('a', {class: 'key', href: clusterHref(c.key), testid: 'cluster-link'}, c.key),
            c.reason ? h('div', {class: 'reason', testid: 'reason'}, c.reason) : null),
          h('td', null, badge(c.phase)),
          h('td', null, c.sku || ''),
          h('td', null, [c.cloud, c.region].filter(Boolean).join(' / ')),
          h('td', null, c.satellite || h('span', {class: 'muted'}, '—')),
          h('td', {class: 'num'}, c.brokersDesired ? `${c.brokersReady || 0}/${c.brokersDesired}` : '—'),
          h('td', null, c.version || ''),
          h('td', {class: 'physical'}, c.physical ? h('span', {class: 'mono'}, c.physical.split('/').pop()) : h('span', {class: 'muted'}, '—'),
            c.shared ? h('span', {class: 'tag'}, 'shared') : null),
          h('td', null, timeRef(c.observedAt)))));
      }
      const first = items.length ? offset + 1 : 0;
      pagerInfo.textContent = `showing ${fmt(first)}–${fmt(offset + items.length)} of ${fmt(total)}`;
      prev.disabled = offset <= 0;
      next.disabled = offset + items.length >= total;
    }

    return {
      name: 'fleet',
      root,
      sameView: () => true,
      enter(route) { current = route; syncControls(route); },
      async load(route) {
        const params = {offset: (page() - 1) * PAGE_SIZE, limit: PAGE_SIZE, q: route.query.get('q')};
        for (const name of FILTERS) params[name] = route.query.get(name);
        const [fleet, clusters, recent] = await Promise.all([
          api('/api/fleet'), api(`/api/clusters?${query(params)}`), api('/api/commits?limit=20')]);
        return {fleet, clusters, recent};
      },
      render({fleet, clusters, recent}) {
        error.hidden = true;
        setBranch(fleet.branch, fleet.head);
        fill(subtitle,
          'branch ', h('b', null, fleet.branch || '?'), ' at ', commitRef(fleet.head),
          h('span', {class: 'dot-sep'}, '·'),
          !fleet.reconciled ? h('span', {class: 'warn-text'}, 'not reconciled yet')
            : fleet.reconciled === fleet.head ? h('span', null, 'reconciled up to head')
            : h('span', {class: 'warn-text'}, 'reconciler at ', commitRef(fleet.reconciled)),
          fleet.statusCaughtUp === false ? [h('span', {class: 'dot-sep'}, '·'), h('span', {class: 'warn-text'}, 'still reading the status topic')] : null,
          typeof fleet.tookMillis === 'number' ? [h('span', {class: 'dot-sep'}, '·'), `summary in ${fleet.tookMillis.toFixed(1)} ms`] : null);
        renderCards(fleet);
        fill(cloudBody, groupTable(fleet.byCloud, 'cloud', false));
        fill(regionBody, groupTable(fleet.byRegion, 'region', false));
        fill(satelliteBody, groupTable(fleet.bySatellite, 'satellite', true));
        fillSelect(selects.org, fleet.orgs);
        fillSelect(selects.sku, fleet.skus);
        fillSelect(selects.phase, PHASES);
        fillSelect(selects.cloud, fleet.clouds);
        syncControls(current);
        renderRows(clusters);
        renderProblems(fleet);
        renderCommits(recent);
      },
      fail(e) { error.textContent = errorText(e); error.hidden = false; },
    };
  }

  // ---- cluster: the layer cake -------------------------------------------------------------

  function fact(label, value) {
    if (value === undefined || value === null || value === '') return null;
    return h('div', {class: 'fact'}, h('span', {class: 'fact-label'}, label), h('span', {class: 'fact-value'}, value));
  }

  function layerBox(layer, title, phase, body, extraClass = '') {
    return h('div', {class: `layer ${extraClass}`, testid: 'layer-box', data: {layer}},
      h('div', {class: 'layer-kind'}, {logical: 'Logical', physical: 'Physical', k8s: 'Kubernetes cluster', satellite: 'Satellite'}[layer]),
      h('div', {class: 'layer-head'}, h('span', {class: 'layer-title'}, title), phase),
      body);
  }

  function missingBox(layer, text) {
    return h('div', {class: 'layer missing', testid: 'layer-box', data: {layer, missing: 'true'}},
      h('div', {class: 'layer-kind'}, {physical: 'Physical', k8s: 'Kubernetes cluster', satellite: 'Satellite'}[layer]),
      h('div', {class: 'muted'}, text));
  }

  function arrow() { return h('div', {class: 'arrow', 'aria-hidden': 'true'}); }

  function brokers(status) {
    if (!status || !status.brokersDesired) return null;
    const updated = status.brokersUpdated !== undefined && status.brokersUpdated !== status.brokersReady
      ? ` (${status.brokersUpdated} updated)` : '';
    return `${status.brokersReady || 0}/${status.brokersDesired} ready${updated}`;
  }

  function conditions(status) {
    const bad = ((status && status.conditions) || []).filter((c) => c.status !== 'True' && c.status !== true);
    if (!bad.length) return null;
    return h('ul', {class: 'conditions'}, bad.map((c) => h('li', null,
      h('b', null, c.type), c.reason ? ` ${c.reason}` : '', c.message ? `: ${c.message}` : '')));
  }

  function statusFacts(status) {
    if (!status) return [h('div', {class: 'muted small'}, 'no report from an agent yet')];
    return [
      fact('brokers', brokers(status)),
      fact('version', status.version),
      fact('endpoint', status.endpoint ? h('code', null, status.endpoint) : null),
      fact('commit', status.fleetCommit ? commitRef(status.fleetCommit) : null),
      fact('observed', status.observedAt ? timeRef(status.observedAt) : null),
      conditions(status),
    ];
  }

  function physicalColumn(p) {
    const status = p.status;
    const name = (p.key || '').split('/').pop();
    const physical = layerBox('physical', name, badge(status ? status.phase : 'Pending'), [
      h('div', {class: 'small muted mono'}, p.key),
      p.shared ? h('div', {class: 'tag shared', testid: 'shared'}, 'shared: other logical clusters run here too') : null,
      fact('computed at', p.computedAt ? commitRef(p.computedAt) : null),
      ...statusFacts(status),
    ], p.shared ? 'shared' : '');
    const k8s = p.k8sCluster
      ? layerBox('k8s', (p.k8sCluster.key || '').split('/').pop(),
                 badge(p.k8sCluster.status ? p.k8sCluster.status.phase : 'Pending'), [
          h('div', {class: 'small muted mono'}, p.k8sCluster.key),
          ...statusFacts(p.k8sCluster.status),
        ])
      : missingBox('k8s', 'not placed on a Kubernetes cluster yet');
    const s = p.satellite;
    const satellite = s
      ? layerBox('satellite', s.name, badge(s.phase), [
          fact('slice', commitRef(s.sliceCommit, false)),
          fact('from fleet', s.fleetCommit ? commitRef(s.fleetCommit) : null),
          fact('observed', s.observedAt ? timeRef(s.observedAt) : null),
        ])
      : missingBox('satellite', status && status.satellite ? `${status.satellite}: no report yet` : 'no satellite yet');
    return h('div', {class: 'cake-column', testid: 'physical-column'}, physical, arrow(), k8s, arrow(), satellite);
  }

  function value(v) {
    if (v === undefined || v === null) return '∅';
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function fieldList(fields) {
    if (!fields || !fields.length) return null;
    return h('ul', {class: 'fields'}, fields.map((f) => h('li', {class: 'mono', testid: 'field-change'},
      h('span', {class: 'field-path'}, `${f.path}: `), h('span', {class: 'before'}, value(f.before)),
      ' → ', h('span', {class: 'after'}, value(f.after)))));
  }

  function historyEntry(entry) {
    const author = entry.author || {};
    return h('li', {class: 'history-entry', testid: 'history-entry', data: {commit: entry.commit || ''}},
      h('div', {class: 'row-line'}, commitRef(entry.commit), h('span', {class: 'subject'}, entry.subject || ''),
        h('span', {class: 'grow'}), entry.change ? h('span', {class: `tag change-${entry.change}`}, entry.change) : null),
      h('div', {class: 'sub'}, author.name || '?', author.email ? ` <${author.email}>` : '', ' · ', timeRef(entry.time)),
      entry.renamedFrom ? h('div', {class: 'sub'}, `renamed from ${entry.renamedFrom}`) : null,
      fieldList(entry.fields),
      causedList(entry.caused || []));
  }

  // The controller commits a change caused; those that touched other resources only are folded.
  function causedList(caused) {
    const own = caused.filter((c) => (c.files || []).length);
    const other = caused.filter((c) => !(c.files || []).length);
    if (!caused.length) return null;
    const line = (c) => h('div', {class: 'row-line'}, h('span', {class: 'caused-arrow'}, '↳'),
      h('span', {class: 'tag bot'}, c.controller || 'controller'), commitRef(c.commit),
      h('span', {class: 'subject'}, c.subject || ''), h('span', {class: 'grow'}), timeRef(c.time));
    return h('ul', {class: 'caused'},
      own.map((c) => h('li', {testid: 'caused', data: {commit: c.commit || ''}}, line(c),
        h('details', {class: 'files'},
          h('summary', null, `${c.files.length} file${c.files.length === 1 ? '' : 's'}`),
          c.files.map((f) => h('div', {class: 'file'}, h('span', {class: 'mono'}, f.path), ' ',
            f.change ? h('span', {class: `tag change-${f.change}`}, f.change) : null, fieldList(f.fields)))))),
      other.length ? h('li', null, h('details', {class: 'files other'},
        h('summary', null, `and ${other.length} more controller commit${other.length === 1 ? '' : 's'} it caused, about other resources`),
        other.map((c) => h('div', {testid: 'caused', data: {commit: c.commit || ''}}, line(c))))) : null);
  }

  function clusterView(route) {
    const root = h('div', {class: 'cluster'});
    return {
      name: 'cluster',
      root,
      sameView: (next) => next.key === route.key,
      enter() {},
      load: () => api(`/api/cluster?${query({key: route.key})}`),
      render(c) {
        const [kind, ...rest] = (c.key || route.key).split('/');
        const physical = c.physical || [];
        const history = c.history || [];
        const row = c.row || {};
        const logical = layerBox('logical', rest.join('/'), badge(c.phase), [
          h('div', {class: 'small muted'}, kind),
          fact('file', c.path ? h('code', null, c.path) : null),
          fact('commit', c.commit ? commitRef(c.commit) : null),
          fact('sku', row.sku),
          fact('location', [row.cloud, row.region].filter(Boolean).join(' / ')),
          fact('brokers', row.brokersDesired ? `${row.brokersReady || 0}/${row.brokersDesired} ready` : null),
          fact('version', row.version),
          c.reason ? h('div', {class: 'reason'}, c.reason) : null,
        ]);
        fill(root,
          h('div', {class: 'page-head'}, h('a', {href: '#/', class: 'back'}, '← Fleet'),
            h('h1', {testid: 'cluster-key'}, c.key || route.key), badge(c.phase, 'cluster-phase')),
          c.rejected ? h('div', {class: 'error-banner', testid: 'rejected'}, `Rejected: ${c.rejected}`) : null,
          panel('Layers', h('div', {class: 'cake', testid: 'cake'},
            h('div', {class: 'cake-top'}, logical),
            physical.length > 1 ? h('div', {class: 'fork', style: `width: ${(physical.length - 1) * 448}px`}) : arrow(),
            h('div', {class: 'cake-columns'},
              physical.length ? physical.map(physicalColumn)
                : h('div', {class: 'cake-column'}, missingBox('physical', 'no physical cluster yet: the controllers have not placed it'))))),
          panel('History', history.length
            ? h('ol', {class: 'history', testid: 'history'}, history.map(historyEntry))
            : empty('no history')));
      },
      fail(e) { fill(root, h('div', {class: 'page-head'}, h('a', {href: '#/', class: 'back'}, '← Fleet'), h('h1', null, route.key)),
                                     h('div', {class: 'error-banner', testid: 'view-error'}, errorText(e))); },
    };
  }

  // ---- change: is my change live? ----------------------------------------------------------

  function step(kind, state, title, ...body) {
    return h('div', {class: `step state-${state}`, testid: 'pipeline-step', data: {kind, state}},
      h('div', {class: 'step-head'}, h('span', {class: 'step-icon'}, state === 'done' ? '✓' : '…'), h('span', {class: 'step-title'}, title)),
      body);
  }

  function stage(title, steps) {
    return h('div', {class: 'stage'}, h('div', {class: 'stage-title'}, title), h('div', {class: 'stage-steps'}, steps));
  }

  function verdict(c) {
    const satellites = c.satellites || [];
    const waiting = satellites.filter((s) => !s.applied);
    if (!c.published) return {state: 'waiting', text: 'Waiting for the reconciler to publish it'};
    if (!satellites.length) return {state: 'waiting', text: 'Published; no satellite has a slice from it yet'};
    if (!waiting.length) {
      return {state: 'live', text: satellites.length === 1 ? `Live on its one satellite, ${satellites[0].satellite}`
                                                             : `Live on all ${satellites.length} satellites`};
    }
    const names = waiting.map((s) => s.satellite);
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    return {state: 'waiting', text: `Waiting for ${waiting.length} of ${satellites.length} satellites: ${shown}`};
  }

  function changeView(route) {
    const root = h('div', {class: 'change'});
    return {
      name: 'change',
      root,
      sameView: (next) => next.sha === route.sha,
      enter() {},
      load: () => api(`/api/change?${query({commit: route.sha})}`),
      render(c) {
        const v = verdict(c);
        const controllers = c.controllers || [];
        const satellites = c.satellites || [];
        const arrowRight = () => h('div', {class: 'pipe-arrow', 'aria-hidden': 'true'});
        fill(root,
          h('div', {class: 'page-head'}, h('a', {href: '#/', class: 'back'}, '← Fleet'),
            h('h1', null, 'Change ', h('code', {title: c.commit}, short(c.commit || route.sha)))),
          h('div', {class: 'subject-line'}, c.subject || '', h('span', {class: 'sub'}, ' — ', c.author || '?', ', ', timeRef(c.time))),
          h('div', {class: `verdict verdict-${v.state}`, testid: 'change-verdict', data: {state: v.state}},
            h('span', {class: 'verdict-icon'}, v.state === 'live' ? '✓' : '…'), v.text),
          panel('Where it has got to', h('div', {class: 'pipeline', testid: 'pipeline'},
            stage('Committed', step('commit', 'done', short(c.commit), h('div', {class: 'small'}, c.author || ''), h('div', {class: 'sub'}, timeRef(c.time)))),
            arrowRight(),
            stage('Published', step('published', c.published ? 'done' : 'waiting', 'reconciler',
              h('div', {class: 'small'}, c.published ? 'published to Kafka' : 'not published yet'))),
            arrowRight(),
            stage('Controllers', controllers.length
              ? controllers.map((k) => step('controller', 'done', k.controller || 'controller', h('div', null, commitRef(k.commit)),
                                           h('div', {class: 'small'}, k.summary || '')))
              : step('controller', c.published ? 'done' : 'waiting', 'none', h('div', {class: 'small muted'}, 'no controller commit (yet)'))),
            arrowRight(),
            stage('Satellites', satellites.length
              ? satellites.map((s) => step('satellite', s.applied ? 'done' : 'waiting', s.satellite,
                  h('div', {class: 'small'}, s.applied ? ['applied ', timeRef(s.at)] : 'waiting'),
                  fact('slice', s.sliceCommit ? commitRef(s.sliceCommit, false) : null),
                  fact('sync', s.syncCommit ? commitRef(s.syncCommit, false) : null)))
              : step('satellite', 'waiting', 'none yet', h('div', {class: 'small muted'}, 'no slice from this change yet'))))));
      },
      fail(e) { fill(root, h('div', {class: 'page-head'}, h('a', {href: '#/', class: 'back'}, '← Fleet'), h('h1', null, 'Change ', short(route.sha))),
                                     h('div', {class: 'error-banner', testid: 'view-error'}, errorText(e))); },
    };
  }

  // ---- rollouts ----------------------------------------------------------------------------

  function progressSegments(r) {
    return [
      {label: 'done', value: count(r.done), tone: 'ok'},
      {label: 'failed', value: count(r.failed), tone: 'bad'},
      {label: 'in progress', value: count(r.inProgress), tone: 'progress'},
      {label: 'pending', value: r.pending !== undefined ? count(r.pending)
        : Math.max(0, count(r.clusters) - count(r.done) - count(r.failed) - count(r.inProgress)), tone: 'pending'},
    ];
  }

  function rolloutsView() {
    const root = h('div', {class: 'rollouts'});
    return {
      name: 'rollouts',
      root,
      sameView: () => true,
      enter() {},
      load: () => api('/api/rollouts'),
      render(list) {
        const items = (list && list.items) || [];
        fill(root, h('div', {class: 'page-head'}, h('h1', null, 'Rollouts')),
          panel('All rollouts', items.length ? h('table', {class: 'table', testid: 'rollout-table'},
            h('thead', null, h('tr', null, ['Rollout', 'Change', 'Phase', 'State', 'Progress', '', 'Waiting for'].map((c) => h('th', null, c)))),
            h('tbody', null, items.map((r) => h('tr', {testid: 'rollout-row', data: {name: r.name}},
              h('td', null, h('a', {href: `#/rollout/${encodeURIComponent(r.name)}`, testid: 'rollout-link'}, r.name)),
              h('td', null, r.kafkaVersion ? `Kafka ${r.kafkaVersion}` : ''),
              h('td', null, r.phase ? badge(r.phase) : h('span', {class: 'muted'}, 'not started')),
              h('td', null, r.state || ''),
              h('td', {class: 'bar-cell wide'}, stackedBar(progressSegments(r), 'rollout-bar')),
              h('td', {class: 'num'}, `${fmt(count(r.done))}/${fmt(count(r.clusters))}`),
              h('td', null, r.waitingFor ? h('b', null, r.waitingFor) : '', r.reason ? h('div', {class: 'sub'}, r.reason) : null)))))
            : empty('no rollouts in rollouts/')));
      },
      fail(e) { fill(root, h('div', {class: 'page-head'}, h('h1', null, 'Rollouts')),
                                     h('div', {class: 'error-banner', testid: 'view-error'}, errorText(e))); },
    };
  }

  function timeLeftText(t) {
    if (!t) return '';
    if (t.estimate === 'done') return 'done';
    if (t.estimate === 'unknown') return `unknown (${t.basedOn ? `only ${t.basedOn} done so far` : 'until clusters are done'})`;
    return `about ${duration(t.seconds)} (${fmt(t.notDone)} clusters not done, one every ${duration(t.secondsPerCluster)} ` +
           `over the last ${fmt(t.basedOn)} done; soaks and approvals come on top)`;
  }

  function waveCard(w) {
    const approval = w.requiresApproval ? (w.approved ? h('span', {class: 'tag ok'}, 'approved') : h('span', {class: 'tag warn'}, 'needs approval')) : null;
    return h('div', {class: 'wave', testid: 'wave', data: {name: w.name, state: w.state || ''}},
      h('div', {class: 'row-line'}, h('b', {class: 'wave-name'}, w.name), badge(w.state, 'wave-state'), approval,
        h('span', {class: 'grow'}), h('span', {class: 'num'}, `${fmt(w.done)}/${fmt(w.clusters)} done`)),
      stackedBar(progressSegments(w), 'wave-bar'),
      h('div', {class: 'wave-meta sub'},
        `pending ${fmt(w.pending)} · in progress ${fmt(w.inProgress)} · done ${fmt(w.done)} · failed ${fmt(w.failed)}`,
        h('span', {class: 'dot-sep'}, '·'), `maxConcurrent ${w.maxConcurrent}`, h('span', {class: 'dot-sep'}, '·'), `maxFailures ${w.maxFailures}`,
        w.startedAt ? [h('span', {class: 'dot-sep'}, '·'), 'started ', timeRef(w.startedAt)] : null,
        w.completedAt ? [h('span', {class: 'dot-sep'}, '·'), 'completed ', timeRef(w.completedAt)] : null));
  }

  function copyBlock(text) {
    const code = h('code', {class: 'command', testid: 'approve-command'}, text);
    const button = h('button', {type: 'button', class: 'btn small', title: 'copy the command'}, 'copy');
    button.addEventListener('click', () => {
      const done = () => { button.textContent = 'copied'; setTimeout(() => { button.textContent = 'copy'; }, 1500); };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => selectText(code));
      else selectText(code);
    });
    return h('div', {class: 'copy-block'}, code, button);
  }

  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function rolloutView(route) {
    const root = h('div', {class: 'rollout'});
    return {
      name: 'rollout',
      root,
      sameView: (next) => next.rollout === route.rollout,
      enter() {},
      load: () => api(`/api/rollout?${query({name: route.rollout})}`),
      render(r) {
        const change = r.change || {};
        const config = Object.entries(change.config || {});
        const head = h('div', {class: 'page-head'}, h('a', {href: '#/rollouts', class: 'back'}, '← Rollouts'),
          h('h1', null, r.rollout || route.rollout), r.phase ? badge(r.phase, 'rollout-phase') : null,
          r.state ? h('span', {class: 'tag'}, `spec.state ${r.state}`) : null);
        const about = h('div', {class: 'facts-row'},
          fact('change', [change.kafkaVersion ? `Kafka ${change.kafkaVersion}` : null,
                          ...config.map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(', ') || '—'),
          fact('file', r.path ? h('code', null, r.path) : null),
          fact('commit', r.commit ? commitRef(r.commit) : null),
          fact('approved waves', (r.approvedWaves || []).join(', ') || 'none'));
        if (!r.started) {
          fill(root, head, panel('Rollout', about), h('div', {class: 'info-banner', testid: 'not-started'}, r.message || 'not started yet'));
          return;
        }
        const soak = toDate(r.soakUntil);
        const waiting = h('div', {class: 'waiting', testid: 'waiting'},
          r.waitingFor && r.waitingFor !== 'None'
            ? h('div', {class: 'row-line'}, h('span', {class: 'tag warn', testid: 'waiting-for'}, r.waitingFor), h('span', null, r.reason || ''))
            : h('div', {class: 'muted'}, r.phase === 'Complete' ? 'complete' : 'not waiting'),
          soak ? h('div', null, 'soak until ', h('b', null, soak.toISOString()), ' (', relative(soak), ')') : null,
          r.approveCommand ? [h('div', {class: 'sub'}, 'approve with (from a checkout of the fleet repo):'), copyBlock(r.approveCommand)] : null);
        const inProgress = Array.isArray(r.inProgress) ? r.inProgress : [];
        const failed = r.failed || [];
        fill(root, head, panel('Rollout', about),
          h('div', {class: 'split'},
            panel('Why it waits', waiting),
            panel('Progress', h('div', null,
              fact('time left', h('span', {testid: 'time-left'}, timeLeftText(r.timeLeft))),
              fact('failures', `${fmt(r.failures)} (${fmt(r.acknowledgedFailures)} acknowledged)`),
              r.unassigned ? fact('unassigned', `${fmt(r.unassigned)} clusters match no wave`) : null))),
          panel('Waves', (r.waves || []).length ? h('div', {class: 'waves', testid: 'waves'}, r.waves.map(waveCard)) : empty('no waves')),
          panel('Current batch', inProgress.length
            ? h('div', {class: 'chips', testid: 'batch'}, inProgress.slice(0, 200).map((n) => h('span', {class: 'chip mono'}, n)),
                inProgress.length > 200 ? h('span', {class: 'sub'}, `and ${fmt(inProgress.length - 200)} more`) : null)
            : empty('nothing in progress'), h('span', {class: 'count'}, fmt(inProgress.length))),
          panel('Failures', failed.length
            ? h('table', {class: 'table compact', testid: 'failures'},
                h('thead', null, h('tr', null, ['Cluster', 'Wave', 'Reason'].map((c) => h('th', null, c)))),
                h('tbody', null, failed.map((f) => h('tr', null, h('td', {class: 'mono'}, f.cluster), h('td', null, f.wave), h('td', null, f.reason || '')))))
            : empty('no failures'), h('span', {class: 'count'}, fmt(failed.length))));
      },
      fail(e) { fill(root, h('div', {class: 'page-head'}, h('a', {href: '#/rollouts', class: 'back'}, '← Rollouts'), h('h1', null, route.rollout)),
                                     h('div', {class: 'error-banner', testid: 'view-error'}, errorText(e))); },
    };
  }

  function notFoundView() {
    const root = h('div', null, h('div', {class: 'page-head'}, h('h1', null, 'Nothing here')),
                    h('p', null, h('a', {href: '#/'}, 'Back to the fleet')));
    return {name: 'none', root, sameView: () => true, enter() {}, load: async () => null, render() {}, fail() {}};
  }

  // ---- routing and refresh -----------------------------------------------------------------

  function decode(part) {
    try { return decodeURIComponent(part); } catch (e) { return part; }
  }

  function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const mark = raw.indexOf('?');
    const path = mark >= 0 ? raw.slice(0, mark) : raw;
    const route = {query: new URLSearchParams(mark >= 0 ? raw.slice(mark + 1) : '')};
    const parts = path.split('/').filter(Boolean);
    const rest = parts.slice(1).map(decode).join('/');
    if (!parts.length) return {...route, name: 'fleet'};
    if (parts[0] === 'cluster' && rest) return {...route, name: 'cluster', key: rest};
    if (parts[0] === 'change' && rest) return {...route, name: 'change', sha: rest};
    if (parts[0] === 'rollouts') return {...route, name: 'rollouts'};
    if (parts[0] === 'rollout' && rest) return {...route, name: 'rollout', rollout: rest};
    return {...route, name: 'none'};
  }

  const VIEWS = {fleet: fleetView, cluster: clusterView, change: changeView, rollouts: rolloutsView, rollout: rolloutView, none: notFoundView};
  const app = {view: null, route: null, timer: null};

  function navigate(hash, replace = false) {
    history[replace ? 'replaceState' : 'pushState'](null, '', hash);
    onRoute();
  }

  function onRoute() {
    const route = parseHash();
    for (const link of document.querySelectorAll('[data-nav]')) {
      link.classList.toggle('active', link.dataset.nav === (route.name === 'rollout' ? 'rollouts' : route.name === 'fleet' ? 'fleet' : ''));
    }
    app.route = route;
    const same = app.view && app.view.name === route.name && app.view.sameView(route);
    if (!same) {
      app.view = VIEWS[route.name](route);
      app.view.state = {busy: false, again: false, rendered: false};
      fill(container, app.view.root);
      staleNotice.hidden = true;
      window.scrollTo(0, 0);
      document.title = route.name === 'fleet' ? 'strata' : `strata · ${route.key || route.sha || route.rollout || route.name}`;
    }
    app.view.enter(route);
    refresh();
  }

  // One load in flight per view: a request for more while one runs is folded into one more load.
  async function refresh() {
    const view = app.view;
    const state = view.state;
    if (state.busy) { state.again = true; return; }
    state.busy = true;
    try {
      do {
        state.again = false;
        const route = app.route;
        let data;
        let failure = null;
        try { data = await view.load(route); } catch (e) { failure = e; }
        if (app.view !== view) return;
        if (state.again && app.route !== route) continue;  // the filters moved on meanwhile
        if (failure) {
          // A refresh that fails keeps what the view shows; a first load has nothing to keep.
          if (state.rendered && failure.status !== 404 && failure.status !== 401) {
            staleNotice.textContent = `Not up to date: ${errorText(failure)}. Trying again with the next update.`;
            staleNotice.hidden = false;
          } else {
            view.fail(failure);
            state.rendered = false;
          }
          // A key or commit that is not there (yet) is asked for again, but not at every update.
          state.goneAt = failure.status === 404 ? Date.now() : 0;
          continue;
        }
        state.goneAt = 0;
        staleNotice.hidden = true;
        const scroll = window.scrollY;
        view.render(data, route);
        if (state.rendered) window.scrollTo(0, scroll);
        state.rendered = true;
      } while (state.again);
    } finally {
      state.busy = false;
    }
  }

  function scheduleRefresh() {
    const gone = app.view && app.view.state.goneAt;
    if (gone && Date.now() - gone < 30000) return;
    clearTimeout(app.timer);
    app.timer = setTimeout(refresh, 300);
  }

  // ---- the top bar: branch head and the live indicator -------------------------------------

  const branchLabel = document.querySelector('[data-testid="branch-head"]');
  const live = document.querySelector('[data-testid="live"]');

  function setBranch(branch, head) {
    if (branch) app.branch = branch;
    fill(branchLabel, app.branch ? `${app.branch} @ ` : '', head ? commitRef(head) : '');
  }

  function setLive(state, text) {
    live.dataset.state = state;
    live.querySelector('.live-text').textContent = text;
  }

  // Server-sent events when they work; polling every 5 s while they do not.
  const events = {version: undefined, poll: null, grace: null};

  function startPolling() {
    if (!events.poll) events.poll = setInterval(scheduleRefresh, 5000);
  }

  function stopPolling() {
    clearInterval(events.poll);
    events.poll = null;
  }

  function connect() {
    if (!window.EventSource) { setLive('polling', 'polling'); startPolling(); return; }
    const source = new EventSource('/api/events');
    source.onopen = () => {
      clearTimeout(events.grace);
      events.grace = null;
      setLive('live', 'live');
      stopPolling();
    };
    source.addEventListener('update', (event) => {
      let data = {};
      try { data = JSON.parse(event.data); } catch (e) { data = {}; }
      if (data.head) setBranch(null, data.head);
      if (data.version !== undefined && data.version === events.version) return;
      events.version = data.version;
      scheduleRefresh();
    });
    // The server ends each stream after a while and EventSource reconnects within a second:
    // only a gap longer than that counts as lost.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setLive('reconnecting', 'reconnecting');
        startPolling();
        setTimeout(connect, 15000);
        return;
      }
      if (events.grace) return;  // a failed reconnect does not restart the count
      events.grace = setTimeout(() => {
        events.grace = null;
        if (source.readyState !== EventSource.OPEN) { setLive('reconnecting', 'reconnecting'); startPolling(); }
      }, 3000);
    };
  }

  window.addEventListener('hashchange', onRoute);
  onRoute();
  if (app.route.name !== 'fleet') api('/api/fleet').then((f) => setBranch(f.branch, f.head), () => {});
  connect();
})();
