// A private stream's viewer token: from ?token= (then kept in sessionStorage and taken out of the address bar, so it
// does not linger in history or get shared with the URL), or typed into the prompt the page shows when the
// coordinator answers `private-stream`.

function key(stream) {
  return 'waterfall.viewerToken.' + stream;
}

/** The token for this stream, if the URL or an earlier prompt gave one (removes it from the address bar). */
export function viewerToken(stream, params) {
  if (params.get('token')) {
    sessionStorage.setItem(key(stream), params.get('token'));
    params.delete('token');
    history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : '') + location.hash);
  }
  return sessionStorage.getItem(key(stream));
}

/** Asks for a token below the controls (once); submitting keeps it for this tab and reloads. */
export function showTokenPrompt(stream, why) {
  if (document.getElementById('token-form')) return;
  const form = document.createElement('form');
  form.id = 'token-form';
  form.className = 'token-form';
  const label = document.createElement('label');
  label.textContent = 'This stream is private. ' + why.replace(/^private-stream: /, '') + ' Viewer token: ';
  const input = document.createElement('input');
  input.id = 'token-input';
  input.type = 'password';
  input.autocomplete = 'off';
  input.required = true;
  const button = document.createElement('button');
  button.type = 'submit';
  button.textContent = 'Watch';
  label.appendChild(input);
  form.append(label, button);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(key(stream), input.value.trim());
    location.reload();
  });
  document.querySelector('.controls').appendChild(form);
}
