// Starts GraphiQL on the developer console page: it talks to /graphql with the session cookie and sends the
// session's CSRF token (the readable cookie set at login) in the header the service checks.
(function () {
  "use strict";
  function cookie(name) {
    var found = document.cookie.split("; ").find(function (part) { return part.indexOf(name + "=") === 0; });
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }
  function fetcher(params) {
    return fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/graphql-response+json, application/json",
        "X-CSRF-Token": cookie("mitmachen_csrf")
      },
      body: JSON.stringify(params)
    }).then(function (response) { return response.json(); });
  }
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: "# Mitmachen GraphQL API\n{\n  towns {\n    name\n    slug\n  }\n  me {\n    user {\n      displayName\n    }\n  }\n}\n"
  }));
})();
