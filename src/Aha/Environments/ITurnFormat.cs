using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>
/// Turns observation messages into the text that is tokenised and appended to a trajectory. Only observations are
/// rendered: the policy's own turns stay the token ids it sampled, so earlier turns are never re-rendered or
/// re-tokenised (the token-drift trap of re-applying a chat template to the whole conversation).
/// </summary>
public interface ITurnFormat
{
    /// <summary>The first observation as the prompt text, ending where the policy starts writing.</summary>
    string Prompt(IReadOnlyList<ChatMessage> messages);

    /// <summary>
    /// The text appended after a policy turn: closes that turn when the policy did not (<paramref name="policyTurnClosed"/>
    /// false: it stopped on a stop string or a length limit rather than its end-of-turn token), renders the
    /// observation, and opens the next policy turn.
    /// </summary>
    string Observation(IReadOnlyList<ChatMessage> messages, bool policyTurnClosed);
}
