using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TenantPortal.Tests.Infra;

/// <summary>An ARM template compiled from Bicep, with its modules' nested templates, read as JSON.</summary>
public sealed partial class CompiledTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    /// <summary>This template and every nested (module) template, outermost first.</summary>
    public IEnumerable<JsonObject> Templates => TemplatesIn(Root);

    /// <summary>Every resource of every template, modules included, except <c>existing</c> references.</summary>
    public IEnumerable<TemplateResource> Resources => ResourcesIn(Root).Where(r => r.Json["existing"]?.GetValue<bool>() != true);

    public IEnumerable<TemplateResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public TemplateResource Only(string type) => Assert.Single(OfType(type));

    [GeneratedRegex(@"password|secret|connectionstring|accesskey|primarykey|secondarykey|instrumentationkey|apikey|token|credential|\bsas", RegexOptions.IgnoreCase)]
    public static partial Regex SecretLookingName { get; }

    private static IEnumerable<JsonObject> TemplatesIn(JsonObject template)
    {
        yield return template;
        foreach (var nested in ResourcesIn(template).Select(r => r.Json["properties"]?["template"]).OfType<JsonObject>())
        {
            yield return nested;
        }
    }

    private static IEnumerable<TemplateResource> ResourcesIn(JsonObject template)
    {
        IEnumerable<JsonNode?> resources = template["resources"] switch
        {
            JsonArray array => array,                        // languageVersion 1.0
            JsonObject symbolic => symbolic.Select(p => p.Value), // languageVersion 2.0: keyed by symbolic name
            _ => [],
        };

        foreach (var resource in resources.OfType<JsonObject>())
        {
            yield return new TemplateResource(resource, template);
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in ResourcesIn(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}

/// <summary>One resource and the template that declares it (for its parameters and variables).</summary>
public sealed partial class TemplateResource(JsonObject json, JsonObject template)
{
    public JsonObject Json { get; } = json;

    public JsonObject Template { get; } = template;

    public string Type => Json["type"]!.GetValue<string>();

    public JsonNode? this[string path] => path.Split('.').Aggregate((JsonNode?)Json, (node, name) => node?[name]);

    /// <summary>A string property with the template's <c>variables('…')</c> substituted, so ids and GUIDs can be read.</summary>
    public string Resolved(string path)
    {
        var value = this[path]?.ToString() ?? string.Empty;
        for (var pass = 0; pass < 10; pass++)
        {
            var next = VariableReference().Replace(value, m =>
            {
                var variable = Template["variables"]?[m.Groups[1].Value];
                if (variable is not JsonValue)
                {
                    return m.Value;
                }

                var text = variable.GetValue<string>();
                return text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : $"'{text}'";
            });
            if (next == value)
            {
                return value;
            }

            value = next;
        }

        return value;
    }

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableReference();
}
