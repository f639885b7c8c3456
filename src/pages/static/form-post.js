// OAuth 2.0 Form Post Response Mode: submits the response form at once. Without JavaScript the page shows
// its "Continue" button instead, so this file is a convenience, never a requirement.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('form-post')
  if (form) form.submit()
})
