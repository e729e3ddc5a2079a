// The example page's own script (a shop's would do the same; inline scripts are blocked by a
// strict CSP). The first line is the queue stub: calls made before the widget loads are kept
// and run when it does.
window.aisle = window.aisle || function () { (window.aisle.q = window.aisle.q || []).push(arguments); };

const params = new URLSearchParams(location.search);
const chat = document.querySelector('aisle-chat');
for (const name of ['locale', 'position', 'server']) if (params.has(name)) chat.setAttribute(name, params.get(name));
if (params.has('inline')) chat.setAttribute('inline', '');
if (params.get('locale') === 'ar') document.documentElement.dir = 'rtl';

document.getElementById('view').onclick = () => aisle('track', { event: 'view_product', product_id: 'BOTEH2PJRPBTGXMB' });
document.getElementById('login').onclick = () => aisle('setToken', document.getElementById('token').value.trim());
document.getElementById('logout').onclick = () => aisle('reset');
document.getElementById('open').onclick = () => aisle('open');
