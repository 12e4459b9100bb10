namespace LogPipeline.Producer.Generation;

/// <summary>The fixed word lists behind the synthetic fleet; finite on purpose, so messages fingerprint to few templates.</summary>
internal static class Vocabulary
{
    public static readonly string[] ServiceNames =
    [
        "checkout", "payments", "catalog", "search", "auth", "inventory", "shipping", "notifications",
        "recommendations", "reviews", "pricing", "billing", "accounts", "media", "gateway", "ledger",
    ];

    /// <summary>Suffixes for services beyond <see cref="ServiceNames"/>: <c>checkout-worker</c>, <c>search-indexer</c>.</summary>
    public static readonly string[] ServiceRoles = ["worker", "api", "indexer", "scheduler", "sync", "exporter"];

    /// <summary>Host UTC offsets, UTC-heavy like real fleets, with the usual awkward ones.</summary>
    public static readonly (TimeSpan Offset, string Region)[] Zones =
    [
        (TimeSpan.Zero, "eu-west-1"), (TimeSpan.Zero, "eu-west-2"), (TimeSpan.Zero, "us-east-1"),
        (TimeSpan.FromHours(-5), "us-east-2"), (TimeSpan.FromHours(-8), "us-west-2"), (TimeSpan.FromHours(1), "eu-central-1"),
        (TimeSpan.FromHours(5.5), "ap-south-1"), (TimeSpan.FromHours(9), "ap-northeast-1"), (TimeSpan.FromHours(-3), "sa-east-1"),
        (TimeSpan.FromHours(8), "ap-southeast-1"), (TimeSpan.FromHours(5.75), "ap-south-2"),
    ];

    /// <summary>Endpoints per service: method, path template, relative weight, latency multiplier, typical body bytes.</summary>
    public static readonly Dictionary<string, Endpoint[]> Endpoints = new(StringComparer.Ordinal)
    {
        ["checkout"] = [new("POST", "/api/orders", 3, 3, 900), new("GET", "/api/orders/{id}", 5, 1, 2400), new("GET", "/api/users/{id}/cart", 8, 0.8, 1800), new("PUT", "/api/users/{id}/cart/items/{sku}", 4, 1.2, 300), new("DELETE", "/api/users/{id}/cart/items/{sku}", 1, 1, 0)],
        ["payments"] = [new("POST", "/api/payments", 4, 6, 450), new("POST", "/api/payments/{uuid}/capture", 2, 5, 300), new("GET", "/api/payments/{uuid}", 3, 1, 700), new("POST", "/api/refunds", 1, 4, 350)],
        ["catalog"] = [new("GET", "/api/products/{sku}", 10, 0.6, 5200), new("GET", "/api/products", 4, 1.5, 24000), new("GET", "/api/categories/{id}/products", 3, 1.8, 18000), new("PUT", "/api/products/{sku}", 1, 2, 400)],
        ["search"] = [new("GET", "/api/search?q={term}", 10, 2, 16000), new("GET", "/api/search/suggest?q={term}", 6, 0.4, 900)],
        ["auth"] = [new("POST", "/api/auth/token", 6, 1.5, 1200), new("POST", "/api/auth/refresh", 4, 0.8, 1100), new("GET", "/api/users/{id}/sessions", 1, 1, 2000), new("POST", "/api/auth/logout", 1, 0.5, 0)],
        ["inventory"] = [new("GET", "/api/stock/{sku}", 8, 0.5, 300), new("POST", "/api/reservations", 3, 2, 250), new("DELETE", "/api/reservations/{uuid}", 1, 1, 0)],
        ["shipping"] = [new("GET", "/api/shipments/{id}", 5, 1, 1500), new("POST", "/api/shipments", 2, 3, 600), new("GET", "/api/rates?zip={zip}", 3, 2.5, 800)],
        ["notifications"] = [new("POST", "/api/notifications", 5, 1.5, 120), new("GET", "/api/users/{id}/notifications", 3, 1, 4000)],
    };

    public static readonly Endpoint[] GenericEndpoints =
    [
        new("GET", "/api/{service}/{id}", 6, 1, 1600), new("GET", "/api/{service}", 3, 1.5, 9000),
        new("POST", "/api/{service}", 2, 2.5, 500), new("PATCH", "/api/{service}/{id}", 1, 2, 300),
    ];

    /// <summary>Every service also answers probes, fast and small.</summary>
    public static readonly Endpoint Health = new("GET", "/healthz", 1.5, 0.05, 2);

    public static readonly string[] SearchTerms = ["shoes", "red+dress", "laptop", "coffee", "usb-c+cable", "headphones", "desk", "garden+chair"];

    public static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "okhttp/4.12.0", "Go-http-client/2.0", "curl/8.5.0",
    ];

    public const string ProbeUserAgent = "kube-probe/1.31";

    public static readonly string[] Referers = ["https://shop.example.com/", "https://shop.example.com/cart", "https://www.google.com/"];

    public static readonly string[] Dependencies = ["payments-gateway", "postgres-primary", "redis-cache", "kafka-broker", "search-cluster", "smtp-relay"];

    public static readonly string[] Tables = ["orders", "payments", "carts", "stock_levels"];

    public static readonly string[] Topics = ["order-events", "payment-events", "email-outbox"];

    public static readonly int[] InfoStatuses = [200, 201, 204, 304, 302];
    public static readonly double[] InfoStatusWeights = [70, 8, 6, 12, 2];
    public static readonly int[] WarnStatuses = [400, 401, 403, 404, 409, 429];
    public static readonly double[] WarnStatusWeights = [22, 14, 4, 35, 10, 15];
    public static readonly int[] ErrorStatuses = [500, 502, 503, 504];
    public static readonly double[] ErrorStatusWeights = [45, 20, 20, 15];

    /// <summary>Baseline level mix: trace 2%, debug 10%, info 70.9%, warn 12%, error 5%, fatal 0.1%.</summary>
    public static readonly double[] LevelWeights = [0.02, 0.10, 0.709, 0.12, 0.05, 0.001];
}
