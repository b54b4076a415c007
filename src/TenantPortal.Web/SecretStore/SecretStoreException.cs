using System.Globalization;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The store refused or did not confirm an operation. The message never contains a value. <see cref="Exception.Message"/>
/// is English (logs, operators); <see cref="Text"/> words the same problem in the reader's language for a person.
/// </summary>
public sealed class SecretStoreException : Exception
{
    // The class comes first: the SDK names SecretStoreException.resx after the first type in this file.
    private static readonly ResourceTexts Texts = new(typeof(SecretStoreException));

    private readonly string? _key;
    private readonly object[] _arguments = [];

    public SecretStoreException(string message, bool isRetryable, Exception? innerException = null)
        : base(message, innerException) => IsRetryable = isRetryable;

    private SecretStoreException(string key, object[] arguments, bool isRetryable, Exception? innerException)
        : base(Texts.FormatIn(CultureInfo.InvariantCulture, key, arguments), innerException)
    {
        (_key, _arguments, IsRetryable) = (key, arguments, isRetryable);
    }

    public bool IsRetryable { get; }

    /// <summary>The problem in the current UI culture (a circuit's, an API request's); the English message when it has no text of its own.</summary>
    public string Text => _key is null ? Message : Texts.Format(_key, _arguments);

    /// <summary>A refusal worded by <paramref name="key"/> in <c>SecretStoreException.resx</c>, with its arguments.</summary>
    internal static SecretStoreException Worded(string key, bool isRetryable, Exception? innerException = null, params object[] arguments) =>
        new(key, arguments, isRetryable, innerException);
}
