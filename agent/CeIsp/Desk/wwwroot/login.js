// The only thing the sign-in page does with script: say that the last attempt failed.
if (new URLSearchParams(location.search).has('failed')) document.getElementById('failed').hidden = false;
