/** The console's whole stylesheet: served from our origin, no external fonts or CDNs. */
export const consoleCss = `
:root { --bg:#f7f8f9; --panel:#fff; --text:#172b4d; --muted:#5e6c84; --line:#dfe1e6; --brand:#0c66e4;
  --brand-dark:#0055cc; --ok:#1f845a; --warn:#a54800; --bad:#c9372c; --radius:8px; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--text); }
a { color: var(--brand); text-decoration: none; } a:hover { text-decoration: underline; }
.shell { display:grid; grid-template-columns: 220px 1fr; min-height:100vh; }
.sidebar { background:#fff; border-right:1px solid var(--line); padding:20px 12px; }
.brand { font-weight:700; font-size:16px; padding:0 8px 16px; }
.brand small { display:block; font-weight:400; color:var(--muted); font-size:12px; }
.nav a { display:block; padding:8px 10px; border-radius:6px; color:var(--text); }
.nav a[aria-current=page] { background:#e9f2ff; color:var(--brand); font-weight:600; }
.nav a:hover { background:#f1f2f4; text-decoration:none; }
.sidebar form { margin-top:24px; padding:0 8px; }
main { padding:28px 36px; max-width:1100px; }
h1 { font-size:22px; margin:0 0 4px; } .lede { color:var(--muted); margin:0 0 24px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:var(--radius); padding:20px; margin-bottom:16px; }
.btn { display:inline-flex; align-items:center; gap:6px; border:1px solid transparent; border-radius:6px; padding:7px 14px;
  font:inherit; font-weight:600; cursor:pointer; background:var(--brand); color:#fff; }
.btn:hover { background:var(--brand-dark); } .btn[disabled] { opacity:.5; cursor:not-allowed; }
.btn.secondary { background:#fff; color:var(--text); border-color:var(--line); } .btn.secondary:hover { background:#f1f2f4; }
.btn.link { background:none; color:var(--brand); padding:0; font-weight:400; }
label { display:block; font-weight:600; margin:14px 0 4px; }
input[type=text], input[type=password], input[type=url], select { width:100%; padding:8px 10px; border:1px solid var(--line);
  border-radius:6px; font:inherit; background:#fff; }
input:focus, select:focus { outline:2px solid #85b8ff; border-color:var(--brand); }
.help { color:var(--muted); font-size:12px; margin-top:4px; }
.field-error { color:var(--bad); font-size:12px; margin-top:4px; min-height:0; }
.alert { border-radius:6px; padding:10px 12px; margin:12px 0; background:#ffeceb; color:#5d1f1a; border:1px solid #ffd5d2; }
.alert.ok { background:#dcfff1; color:#164b35; border-color:#baf3db; }
.badge { display:inline-block; font-size:11px; font-weight:700; text-transform:uppercase; letter-spacing:.03em;
  padding:1px 6px; border-radius:3px; background:#dfe1e6; color:#44546f; }
.badge.ok { background:#dcfff1; color:#216e4e; } .badge.warn { background:#fff7d6; color:#7f5f01; }
.badge.bad { background:#ffeceb; color:#ae2e24; } .badge.brand { background:#e9f2ff; color:#0055cc; }
table { width:100%; border-collapse:collapse; } th, td { text-align:left; padding:10px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; }
.login { max-width:420px; margin:12vh auto; }
.empty { color:var(--muted); text-align:center; padding:32px; }
.row { display:flex; gap:12px; align-items:center; flex-wrap:wrap; }
dialog { border:none; border-radius:12px; padding:24px; width:min(560px, 92vw); box-shadow:0 12px 40px rgba(9,30,66,.3); }
dialog::backdrop { background:rgba(9,30,66,.45); }
.modal-head { display:flex; justify-content:space-between; align-items:center; margin-bottom:12px; }
.modal-head h2 { margin:0; font-size:18px; }
.method { display:block; width:100%; text-align:left; background:#fff; border:1px solid var(--line); border-radius:var(--radius);
  padding:14px 16px; margin-bottom:10px; cursor:pointer; font:inherit; color:var(--text); }
.method:hover { border-color:var(--brand); background:#f8fbff; }
.method-title { display:flex; gap:8px; align-items:center; font-weight:600; margin-bottom:2px; }
.suffixed { display:flex; align-items:stretch; gap:0; }
.suffixed input { border-top-right-radius:0; border-bottom-right-radius:0; }
.suffixed .suffix { display:flex; align-items:center; padding:0 10px; border:1px solid var(--line); border-left:none;
  border-radius:0 6px 6px 0; background:#f1f2f4; color:var(--muted); white-space:nowrap; }
.suffixed .btn { border-radius:0 6px 6px 0; }
input[readonly] { background:#f7f8f9; }
.toggle { display:flex; gap:6px; align-items:center; font-weight:400; margin:0; }
.health-results { list-style:none; padding:0; margin:8px 0 0; font-size:13px; }
.health-results li.ok { color:var(--ok); } .health-results li.bad { color:var(--bad); }
.alert-text { margin:0 0 8px; } .alert-text:last-child { margin:0; }
.alert p { margin:0 0 4px; }
.support { margin-top:16px; }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
h2 { font-size:16px; margin:0 0 8px; }
.scopes ul { columns:2; margin:4px 0 8px; padding-left:18px; font-size:12px; }
.forge-install { margin-top:4px; }
dl.facts { display:grid; grid-template-columns: 180px 1fr; gap:6px 16px; margin:0; }
dl.facts dt { color:var(--muted); font-weight:600; } dl.facts dd { margin:0; overflow-wrap:anywhere; }
code { font-size:12px; background:#f1f2f4; padding:0 4px; border-radius:3px; overflow-wrap:anywhere; }
.filters { display:flex; gap:12px; flex-wrap:wrap; align-items:flex-end; }
.filters label { margin:0 0 4px; } .filters .field { min-width:160px; flex:1; }
/* Phones (390 px): the navigation goes on top, tables become one block per row. */
@media (max-width: 720px) {
  .shell { grid-template-columns: 1fr; min-height:auto; }
  .sidebar { border-right:none; border-bottom:1px solid var(--line); padding:12px; display:flex; flex-wrap:wrap; gap:8px; align-items:center; }
  .brand { padding:0 8px; } .nav { display:flex; flex-wrap:wrap; gap:2px; } .nav a { padding:6px 8px; }
  .sidebar form { margin:0; padding:0; }
  main { padding:16px; }
  table, thead, tbody, tr, th, td { display:block; width:100%; }
  thead { display:none; }
  tr { border-bottom:1px solid var(--line); padding:10px 0; }
  td { border:none; padding:4px 0; }
  td[data-label]::before { content: attr(data-label); display:block; color:var(--muted); font-size:11px; font-weight:600; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom:6px; }
  .scopes ul { columns:1; }
  dialog { padding:16px; width:96vw; }
}
`;
