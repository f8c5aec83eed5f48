package webhooks_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// TestSignMatchesTheSpecification checks the signature against the test
// vector of the Standard Webhooks reference libraries.
func TestSignMatchesTheSpecification(t *testing.T) {
	key, err := domain.WebhookKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	require.NoError(t, err)
	got := webhooks.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", got)
}
