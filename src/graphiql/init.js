// Starts GraphiQL on the page GET /graphql serves (src/graphiql/page.html). Queries and mutations
// are POSTed to /graphql; subscriptions use graphql-ws (graphql-transport-ws) on the same path.
// GraphiQL sends the JSON of its Headers tab as the connection_init payload, which is where the
// server reads the login token: {"Authorization": "Bearer …"} works for both.
(function () {
  'use strict';
  var http = new URL('/graphql', window.location.href);
  var ws = new URL(http.href);
  ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: http.href,
    subscriptionUrl: ws.href,
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();
