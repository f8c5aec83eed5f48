package persistence

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

type settingRow struct {
	Key       string `gorm:"primaryKey;column:key"`
	Value     string
	UpdatedAt time.Time
}

func (settingRow) TableName() string { return "settings" }

// keyCol is quoted by each dialect: KEY is a reserved word in MySQL.
var keyCol = clause.Column{Name: "key"}

// SettingsRepo stores instance-wide key/value settings (company identity,
// numbering masks, ...).
type SettingsRepo struct{ db *DB }

// NewSettingsRepo returns the settings repository on db.
func NewSettingsRepo(db *DB) *SettingsRepo { return &SettingsRepo{db: db} }

// Get returns the value of key; domain.ErrNotFound when it is unset.
func (r *SettingsRepo) Get(ctx context.Context, key string) (string, error) {
	var row settingRow
	if err := r.db.Gorm(ctx).Where(clause.Eq{Column: keyCol, Value: key}).Take(&row).Error; err != nil {
		return "", translate(err, "setting "+key)
	}
	return row.Value, nil
}

// Put sets key to value, inserting or replacing it in one statement on
// every dialect (ON CONFLICT / ON DUPLICATE KEY).
func (r *SettingsRepo) Put(ctx context.Context, key, value string) error {
	row := settingRow{Key: key, Value: value, UpdatedAt: time.Now().UTC()}
	err := r.db.Gorm(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&row).Error
	return translate(err, "setting "+key)
}

// All returns every setting.
func (r *SettingsRepo) All(ctx context.Context) (map[string]string, error) {
	var rows []settingRow
	if err := r.db.Gorm(ctx).Order(clause.OrderByColumn{Column: keyCol}).Find(&rows).Error; err != nil {
		return nil, translate(err, "settings")
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out, nil
}
