namespace Aha.Tokenization.Pipeline;

/// <summary>
/// Splits text around added tokens (<c>&lt;|im_start|&gt;</c>, <c>&lt;start_of_turn&gt;</c>, …) as Hugging Face's
/// AddedVocabulary does: leftmost-longest match over all of them (a trie walk from each position), an
/// <c>lstrip</c> / <c>rstrip</c> token also swallowing the white space on that side.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private sealed class Node
    {
        public Dictionary<char, Node>? Next;
        public AddedToken? Token;
    }

    private readonly Node _root = new();

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        foreach (var token in tokens)
        {
            var node = _root;
            foreach (var c in token.Content)
            {
                node.Next ??= [];
                if (!node.Next.TryGetValue(c, out var child))
                    node.Next[c] = child = new Node();
                node = child;
            }
            node.Token = token;
        }
    }

    /// <summary>A piece of the input: an added token's id, or plain text (Id null) starting at <paramref name="Offset"/>.</summary>
    public readonly record struct Segment(int? Id, string Text, int Offset);

    public List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        var textStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (LongestAt(text, i) is not { } match)
            {
                i++;
                continue;
            }
            var (token, end) = match;
            var start = i;
            if (token.LStrip)
                while (start > textStart && char.IsWhiteSpace(text[start - 1]))
                    start--;
            if (token.RStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                    end++;
            if (start > textStart)
                segments.Add(new Segment(null, text[textStart..start], textStart));
            segments.Add(new Segment(token.Id, token.Content, start));
            i = textStart = end;
        }
        if (textStart < text.Length)
            segments.Add(new Segment(null, text[textStart..], textStart));
        return segments;
    }

    private (AddedToken Token, int End)? LongestAt(string text, int start)
    {
        (AddedToken, int)? best = null;
        var node = _root;
        for (var j = start; j < text.Length && node.Next is not null && node.Next.TryGetValue(text[j], out node); j++)
            if (node.Token is { } t)
                best = (t, j + 1);
        return best;
    }
}
