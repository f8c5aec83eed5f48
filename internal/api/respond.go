package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// created answers 201 with Location and ETag.
func created(c echo.Context, base string, id, version int64, body any) error {
	c.Response().Header().Set(echo.HeaderLocation, base+strconv.FormatInt(id, 10))
	setETag(c, version)
	return c.JSON(http.StatusCreated, body)
}

// record answers 200 with one record and its version as ETag.
func record(c echo.Context, version int64, body any) error {
	if notModified(c, etag(version)) {
		return nil
	}
	setETag(c, version)
	return c.JSON(http.StatusOK, body)
}
