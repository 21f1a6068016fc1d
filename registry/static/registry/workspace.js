// The workspace's only script, and nothing depends on it: it moves the keyboard focus to the
// error summary after a refused form (as GOV.UK Frontend's own script does), so that a screen
// reader announces every problem at once.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".govuk-error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
